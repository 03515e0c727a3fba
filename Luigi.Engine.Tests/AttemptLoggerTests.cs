using Luigi.Engine.Tests.TestTasks;
using Microsoft.Extensions.Logging;

namespace Luigi.Engine.Tests;

/// <summary>Lines a task logs through its context are kept with the attempt that logged them.</summary>
public abstract class AttemptLoggerTests(QueueKind queue) : EngineTests(queue)
{
    [Fact]
    public async Task Run_KeepsWhatEachAttemptLogged_WithThatAttempt()
    {
        var script = new GraphScript();
        script.Define("Import").WithRetry(RetryPolicy.Fixed(1, TimeSpan.Zero)).Runs((context, _) =>
        {
            context.Log($"attempt {context.Attempt}: reading input");
            if (context.Attempt == 1)
            {
                context.Log("attempt 1: row 17 is malformed");
                throw new FormatException("row 17");
            }

            context.Log("attempt 2: wrote 42 rows");
            return Task.CompletedTask;
        });

        var result = await Engines.Create(workers: 1).RunToEndAsync(script.Roots());

        var attempts = result.Graph.Find("Import")!.Attempts;
        Assert.Equal(["attempt 1: reading input", "attempt 1: row 17 is malformed"], attempts[0].Log.Select(l => l.Message));
        Assert.Equal(["attempt 2: reading input", "attempt 2: wrote 42 rows"], attempts[1].Log.Select(l => l.Message));
        Assert.All(attempts, a => Assert.Equal(0, a.TruncatedLines));
    }

    [Fact]
    public async Task Run_KeepsTheFirstLinesAndCountsTheRest_PastMaxLogLinesPerAttempt()
    {
        var script = new GraphScript();
        script.Define("Chatty").Runs((context, _) =>
        {
            for (var i = 1; i <= 10; i++)
            {
                context.Log($"line {i}");
            }

            return Task.CompletedTask;
        });
        var options = new LuigiEngineOptions { Workers = 1, MaxLogLinesPerAttempt = 3 };

        var result = await Engines.Create(options).RunToEndAsync(script.Roots());

        var attempt = result.Graph.Find("Chatty")!.Attempts.Single();
        Assert.Equal(["line 1", "line 2", "line 3"], attempt.Log.Select(l => l.Message));
        Assert.Equal(7, attempt.TruncatedLines);
    }

    [Fact]
    public async Task Run_ShortensOverlongLines_SayingHowMuchWasCut()
    {
        var script = new GraphScript();
        script.Define("Dumps").Runs((context, _) =>
        {
            context.Log(new string('x', 200));
            return Task.CompletedTask;
        });
        var options = new LuigiEngineOptions { Workers = 1, MaxLogLineLength = 80 };

        var result = await Engines.Create(options).RunToEndAsync(script.Roots());

        var line = result.Graph.Find("Dumps")!.Attempts.Single().Log.Single();
        Assert.Equal(new string('x', 80) + "… [line truncated, 120 more characters]", line.Message);
    }

    [Fact]
    public async Task Run_KeepsLevelTimeAndException_OfEachLine()
    {
        var time = new TimerTrackingTimeProvider();
        var script = new GraphScript();
        script.Define("Warns").Runs((context, _) =>
        {
            context.Logger.LogWarning(new TimeoutException("server busy"), "retrying table {Table}", "orders");
            return Task.CompletedTask;
        });

        var result = await Engines.Create(workers: 1, time).RunToEndAsync(script.Roots());

        var line = result.Graph.Find("Warns")!.Attempts.Single().Log.Single();
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.StartsWith("retrying table orders", line.Message);
        Assert.Contains("System.TimeoutException: server busy", line.Message);
        Assert.Equal(time.GetUtcNow(), line.At);
    }
}
