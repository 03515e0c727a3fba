using Luigi.Engine.Tests.TestTasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Luigi.Engine.Tests;

/// <summary>Tasks reach the host's services through <see cref="TaskContext.Services"/>, one scope per attempt, and their
/// own <see cref="ILogger{TCategoryName}"/> lines are kept with the attempt that wrote them.</summary>
public sealed class TaskServicesTests
{
    [Fact]
    public async Task Run_GivesEachAttemptAScopeOfItsOwn_DisposedWhenTheAttemptEnds()
    {
        var seen = new List<(int Attempt, Ledger Ledger, bool DisposedDuringAttempt)>();
        var script = new GraphScript();
        script.Define("Import").WithRetry(RetryPolicy.Fixed(1, TimeSpan.Zero)).Runs((context, _) =>
        {
            var ledger = context.Services.GetRequiredService<Ledger>();
            Assert.Same(ledger, context.Services.GetRequiredService<Ledger>()); // one instance within the attempt
            seen.Add((context.Attempt, ledger, ledger.Disposed));
            return context.Attempt == 1 ? throw new InvalidOperationException("first try fails") : Task.CompletedTask;
        });
        await using var services = new ServiceCollection().AddScoped<Ledger>().BuildServiceProvider();

        var result = await new LuigiEngine(new LuigiEngineOptions { Workers = 1 }, services: services).RunAsync(script.Roots());

        Engines.AssertSucceeded(result);
        Assert.Equal([1, 2], seen.Select(s => s.Attempt));
        Assert.NotSame(seen[0].Ledger, seen[1].Ledger);
        Assert.All(seen, s => Assert.False(s.DisposedDuringAttempt));
        Assert.All(seen, s => Assert.True(s.Ledger.Disposed));
    }

    [Fact]
    public async Task Run_KeepsATaskOwnLoggerLines_WithItsAttempt_ButNotTheFrameworkLines()
    {
        var script = new GraphScript();
        script.Define("Import").Runs(async (context, _) =>
        {
            context.Services.GetRequiredService<ILogger<Ledger>>().LogInformation("read {Rows} rows", 42);
            await Task.Yield(); // the attempt is known past an await too
            context.Services.GetRequiredService<ILoggerFactory>().CreateLogger("System.Net.Http.HttpClient").LogInformation("sending request");
            context.Log("done");
        });
        await using var services = new ServiceCollection().AddLogging(logging => logging.AddLuigiTaskLogs()).BuildServiceProvider();
        var outside = services.GetRequiredService<ILogger<Ledger>>();

        var result = await new LuigiEngine(new LuigiEngineOptions { Workers = 1 }, services: services).RunAsync(script.Roots());
        outside.LogInformation("after the run");

        Engines.AssertSucceeded(result);
        Assert.Equal(["read 42 rows", "done"], result.Graph.Find("Import")!.Attempts.Single().Log.Select(l => l.Message));
    }

    [Fact]
    public async Task Run_GivesAnEmptyProvider_WhenTheEngineHasNoServices()
    {
        object? found = "unset";
        var script = new GraphScript();
        script.Define("Import").Runs((context, _) =>
        {
            found = context.Services.GetService(typeof(Ledger));
            return Task.CompletedTask;
        });

        Engines.AssertSucceeded(await new LuigiEngine(new LuigiEngineOptions { Workers = 1 }).RunAsync(script.Roots()));
        Assert.Null(found);
    }

    /// <summary>A scoped service that knows whether its scope has ended.</summary>
    public sealed class Ledger : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
