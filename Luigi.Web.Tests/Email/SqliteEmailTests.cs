using System.Net;
using System.Net.Http.Json;
using Luigi.Engine.Storage.Entities;
using Luigi.Engine.Execution;
using Luigi.Web.Email;

namespace Luigi.Web.Tests.Email;

/// <summary>Failure e-mail on the embedded store: the same outbox, claimed by the one host without row locks.</summary>
public sealed class SqliteEmailTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"luigi-test-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task OnSqlite_AFailedRunGivesOneSummary_AndATestEmailArrives()
    {
        await using var smtp = SmtpTestServer.Start();
        await using var host = EmailHost.StartOnSqlite(_file, smtp.Port, new Dictionary<string, string> { ["Luigi:Email:Summary"] = "OnFailure" });

        var runId = await host.RunAsync(new { tasks = "A,B", fail = "A" }, RunState.Failed);
        var rows = await host.SettledAsync(runId, atLeast: 2);
        var test = await host.Client.PostAsJsonAsync("/api/email/test", new { to = "oncall@example.com" });

        Assert.Equal(HttpStatusCode.Accepted, test.StatusCode);
        var messages = await smtp.WaitForAsync(2, EmailHost.Guard);
        Assert.Equal(["[Luigi] EmailTestPipeline run failed: EmailStep(name=A, note=nightly) failed on " + Environment.MachineName, "[Luigi] Test e-mail"],
            messages.Select(m => m.Subject));
        Assert.Single(rows, r => r.Kind == EmailKind.Summary && r.SentAt is not null);
        Assert.Single(rows, r => r.Kind == EmailKind.Digest && r.SkippedReason is not null);
        Assert.Equal(0, (await Eventually.Async(host.StatusAsync, s => s.Pending == 0)).Pending);
    }

    public void Dispose()
    {
        foreach (var path in new[] { _file, _file + "-wal", _file + "-shm" })
        {
            File.Delete(path);
        }
    }
}
