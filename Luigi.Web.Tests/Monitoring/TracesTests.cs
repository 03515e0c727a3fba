using System.Collections.Concurrent;
using System.Text;
using Luigi.Web.Tests.Auth;
using Luigi.Web.Tests.Email;
using Luigi.Web.Tests.EndToEnd;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.Monitoring;

/// <summary>Traces reach an OTLP collector (over HTTP, here a receiver on loopback that keeps what it is sent): the run's
/// span, and the spans of ASP.NET Core requests and Npgsql commands.</summary>
public sealed class TracesTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Otlp_ReceivesTheRunSpan_AndRequestAndDatabaseSpans()
    {
        var received = new ConcurrentQueue<(string Path, byte[] Body)>();
        var collector = LoopbackApp.CreateBuilder().Build();
        collector.MapPost("/v1/{signal}", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            received.Enqueue((request.Path, body.ToArray()));
            return Results.Ok();
        });
        await using var _ = collector;
        var endpoint = await LoopbackApp.StartAsync(collector);
        await using var host = await DashboardHost.StartAsync(postgres, new Dictionary<string, string>
        {
            ["Luigi:Telemetry:OtlpEndpoint"] = endpoint, ["Luigi:Telemetry:OtlpProtocol"] = "http/protobuf",
        });
        await host.CreateClient().GetStringAsync("/api/pipelines");
        var executor = host.Services.GetRequiredService<StoreExecutor>();
        var runId = await executor.EnqueueAsync(new RunRequest("Sequence", new Dictionary<string, string> { ["delayMs"] = "0" }, RunTrigger.Api));
        Assert.Equal(RunState.Succeeded, await executor.WaitForRunAsync(runId).WaitAsync(TimeSpan.FromSeconds(60)));

        // Spans are strings in the protobuf payload: their names and attributes can be found without decoding it.
        var traces = await Eventually.Async(
            () => Task.FromResult(string.Join('\n', received.Where(r => r.Path == "/v1/traces").Select(r => Encoding.UTF8.GetString(r.Body)))),
            text => text.Contains("luigi.run", StringComparison.Ordinal) && text.Contains(runId.ToString(), StringComparison.Ordinal)
                && text.Contains("postgresql", StringComparison.Ordinal) && text.Contains("/api/pipelines", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60));

        Assert.Contains("Sequence", traces);
    }
}
