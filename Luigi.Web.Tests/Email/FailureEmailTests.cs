using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Luigi.Engine;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage;
using Luigi.Engine.Storage.Entities;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Luigi.Engine.Execution;
using Luigi.Web.Email;

namespace Luigi.Web.Tests.Email;

/// <summary>Failure e-mail from a real host on PostgreSQL to a real SMTP server on loopback.</summary>
public sealed class FailureEmailTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task TwoFailuresInOneWindow_GoOutAsOneDigestListingBoth()
    {
        await using var smtp = SmtpTestServer.Start();
        // A window of an hour holds both failures however slow the machine; e-mail's own clock then moves past its end.
        var emailClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await EmailHost.StartAsync(
            postgres, smtp.Port, new Dictionary<string, string> { ["Luigi:Email:BatchWindow"] = "01:00:00" }, emailClock: emailClock);

        var runId = await host.RunAsync(new { tasks = "A,B,C", fail = "A,B" }, RunState.Failed);
        await Eventually.Async(() => host.OutboxAsync(runId), planned => planned.Count > 0);
        Assert.Empty(smtp.Messages); // the window is still open
        emailClock.Advance(TimeSpan.FromHours(2));

        var rows = await host.SettledAsync(runId);
        var digest = Assert.Single(rows);
        Assert.Equal(EmailKind.Digest, digest.Kind);
        var message = Assert.Single(smtp.Messages);
        Assert.Equal("[Luigi] EmailTestPipeline: 2 tasks failed on " + Environment.MachineName, message.Subject);
        Assert.Contains("EmailStep(name=A, note=nightly)", message.TextBody);
        Assert.Contains("EmailStep(name=B, note=nightly)", message.TextBody);
        Assert.DoesNotContain("name=C", message.TextBody);
        Assert.Equal(["ops@example.com", "sales-team@example.com"], message.To.Mailboxes.Select(m => m.Address));
    }

    [Fact]
    public async Task EachFailure_LeadsWithTheNumberAndListOfTasksItBlocked_TheBlockedAreNotFailuresOfTheirOwn()
    {
        await using var smtp = SmtpTestServer.Start();
        await using var host = await EmailHost.StartAsync(postgres, smtp.Port);

        var runId = await host.RunAsync(new { tasks = "A,B", fail = "A", dependents = "3" }, RunState.Failed);

        await host.SettledAsync(runId);
        var message = Assert.Single(smtp.Messages);
        Assert.Equal($"[Luigi] EmailTestPipeline: EmailStep(name=A, note=nightly) failed on {Environment.MachineName}", message.Subject);
        const string blocked = "Blocked 3 tasks (EmailDependent 3): EmailDependent(k=0, of=A), EmailDependent(k=1, of=A), EmailDependent(k=2, of=A)";
        var text = message.TextBody ?? "";
        Assert.True(text.Contains(blocked, StringComparison.Ordinal), text);
        Assert.True(text.IndexOf(blocked, StringComparison.Ordinal) < text.IndexOf("Error:", StringComparison.Ordinal), "the blocked tasks come before the error");
        Assert.DoesNotContain("== EmailDependent", text);
        Assert.Contains(HtmlEncoder.Default.Encode("Blocked 3 tasks (EmailDependent 3)"), message.HtmlBody);
    }

    [Fact]
    public async Task AFailedTaskRequiredAtRunTime_IsNamed_WithTheRequesterItBlocked()
    {
        await using var smtp = SmtpTestServer.Start();
        await using var host = await EmailHost.StartAsync(postgres, smtp.Port);

        var runId = await host.RunAsync(new { tasks = "A,B", fail = "A", discover = true }, RunState.Failed);

        await host.SettledAsync(runId);
        var message = Assert.Single(smtp.Messages);
        Assert.Equal($"[Luigi] EmailTestPipeline: EmailStep(name=A, note=nightly) failed on {Environment.MachineName}", message.Subject);
        var text = message.TextBody ?? "";
        Assert.True(text.Contains("Blocked 1 task (EmailDiscoverer 1): EmailDiscoverer(note=nightly)", StringComparison.Ordinal), text);
        Assert.Contains("A could not load the orders (attempt 2)", text);
    }

    [Fact]
    public async Task AnExportThatNeverArrived_IsNamedWithWhatWasWaitedFor()
    {
        await using var smtp = SmtpTestServer.Start();
        await using var host = await EmailHost.StartAsync(postgres, smtp.Port);

        var runId = await host.RunAsync(new { tasks = "A", awaitExport = true, note = "export-" + Guid.NewGuid().ToString("N")[..8] }, RunState.Failed);

        await host.SettledAsync(runId);
        var message = Assert.Single(smtp.Messages);
        var text = message.TextBody ?? "";
        Assert.Contains("EmailExport(note=export-", message.Subject);
        Assert.Matches(@"EmailExport\(note=export-\w+\) never arrived: \S+never-arrives\.csv", text);
        Assert.DoesNotContain("Exception", text); // the engine's own message, not an exception's type and stack trace
    }

    [Fact]
    public async Task Digest_SaysWhatFailedWhereAndWhy_WithALinkToTheTask()
    {
        await using var smtp = SmtpTestServer.Start();
        // No sweep after the one at start: the host's own observer must get the failure to the outbox.
        await using var host = await EmailHost.StartAsync(postgres, smtp.Port, new Dictionary<string, string> { ["Luigi:Email:SweepInterval"] = "01:00:00" });

        var runId = await host.RunAsync(new { tasks = "A,B", fail = "A" }, RunState.Failed);

        await host.SettledAsync(runId);
        var message = Assert.Single(smtp.Messages);
        const string taskId = "EmailStep(name=A, note=nightly)";
        Assert.Equal($"[Luigi] EmailTestPipeline: {taskId} failed on {Environment.MachineName}", message.Subject);
        var link = $"https://luigi.example.com/runs/{runId}/tasks/{await host.TaskIndexAsync(runId, taskId)}";
        foreach (var body in new[] { message.TextBody, message.HtmlBody })
        {
            Assert.Contains(link, body);
            Assert.Contains("A could not load the orders (attempt 2)", body);
            Assert.Contains("at Luigi.Web.Tests.Email.EmailStep.RunAsync", body);
            Assert.Contains("A step 30 of attempt 2", body);
            Assert.Contains("A step 26 of attempt 2", body);
            Assert.DoesNotContain("A step 25 of attempt 2", body);
            Assert.Contains("nightly", body);
        }

        Assert.Contains("Attempts: 2", message.TextBody);
        Assert.Contains("Parameter note: nightly", message.TextBody);
        Assert.Contains($"<a href=\"{link}\">", message.HtmlBody);
    }

    [Fact]
    public async Task MarkupInTheTaskIdErrorAndLog_IsEncodedInTheHtmlBody_AndKeptAsTypedInTheText()
    {
        await using var smtp = SmtpTestServer.Start();
        await using var host = await EmailHost.StartAsync(postgres, smtp.Port);
        const string text = Security.HostileTextPipeline.Payload;

        var runId = await host.RunAsync(new { text }, RunState.Failed, nameof(Security.HostileTextPipeline));

        await host.SettledAsync(runId);
        var message = Assert.Single(smtp.Messages);
        foreach (var raw in new[] { "<script", "<img", "onerror=\"" })
        {
            Assert.DoesNotContain(raw, message.HtmlBody, StringComparison.OrdinalIgnoreCase);
        }

        var encoded = HtmlEncoder.Default.Encode(text);
        Assert.Contains($"could not parse {encoded}", message.HtmlBody);
        Assert.Contains($"read {encoded}", message.HtmlBody);
        Assert.Contains(HtmlEncoder.Default.Encode(new Security.HostileTextTask { Text = text }.TaskId), message.HtmlBody);
        Assert.Contains($"could not parse {text}", message.TextBody);
    }

    [Fact]
    public async Task ScriptInAParameter_IsEscapedInTheHtmlBody()
    {
        await using var smtp = SmtpTestServer.Start();
        await using var host = await EmailHost.StartAsync(postgres, smtp.Port);
        const string note = "<script>alert('x')</script>";

        var runId = await host.RunAsync(new { tasks = "A", fail = "A", note }, RunState.Failed);

        await host.SettledAsync(runId);
        var message = Assert.Single(smtp.Messages);
        Assert.DoesNotContain("<script>", message.HtmlBody);
        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;", message.HtmlBody);
        Assert.Contains(note, message.TextBody);
        Assert.Contains(note, message.Subject);
    }

    [Fact]
    public async Task SummaryOnFailure_OneMessageForAFailedRun_InPlaceOfItsDigest_AndNoneForASucceededRun()
    {
        await using var smtp = SmtpTestServer.Start();
        await using var host = await EmailHost.StartAsync(postgres, smtp.Port, new Dictionary<string, string> { ["Luigi:Email:Summary"] = "OnFailure" });

        var succeeded = await host.RunAsync(new { tasks = "A" }, RunState.Succeeded);
        var failed = await host.RunAsync(new { tasks = "A,B,C", fail = "A,B" }, RunState.Failed);

        var rows = await host.SettledAsync(failed, atLeast: 2);
        Assert.Contains(rows, r => r.Kind == EmailKind.Digest && r.SkippedReason is not null);
        var message = Assert.Single(smtp.Messages);
        // The first failure names the run's subject; A and B fail at the same moment, in either order.
        Assert.Matches($@"^\[Luigi\] EmailTestPipeline run failed: EmailStep\(name=[AB], note=nightly\) and 1 more failed on {Regex.Escape(Environment.MachineName)}$", message.Subject);
        Assert.Contains("EmailStep(name=A, note=nightly)", message.TextBody);
        Assert.Contains("EmailStep(name=B, note=nightly)", message.TextBody);
        Assert.Contains("Done: 1", message.TextBody);
        Assert.Empty(await host.OutboxAsync(succeeded));
    }

    [Fact]
    public async Task SummaryAlways_ReportsASucceededRunToo()
    {
        await using var smtp = SmtpTestServer.Start();
        await using var host = await EmailHost.StartAsync(postgres, smtp.Port, new Dictionary<string, string> { ["Luigi:Email:Summary"] = "Always" });

        var runId = await host.RunAsync(new { tasks = "A,B" }, RunState.Succeeded);

        await host.SettledAsync(runId);
        var message = Assert.Single(smtp.Messages);
        Assert.Equal("[Luigi] EmailTestPipeline run succeeded", message.Subject);
        Assert.Contains($"https://luigi.example.com/runs/{runId}", message.HtmlBody);
        Assert.Contains("Done: 2", message.TextBody);
    }

    [Fact]
    public async Task FailureOfAnotherHost_IsFoundByTheSweep_AndReportedOnce()
    {
        var database = await postgres.CreateDatabaseAsync();
        var store = LuigiStore.Create(new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = database });
        await store.MigrateAsync();
        // A host without e-mail, as one that died before writing its outbox, or one on another machine.
        var other = new StoreExecutor(store, new PipelineRegistry().Add(typeof(EmailTestPipeline)), new LuigiEngineOptions { Workers = 2 },
            new StoreExecutorOptions { PollInterval = TimeSpan.FromMilliseconds(50) }, hostName: "other-host");
        var runId = await other.EnqueueAsync(new RunRequest("EmailTestPipeline", new Dictionary<string, string> { ["fail"] = "A" }, RunTrigger.Cli, null));
        Assert.Equal(RunState.Failed, await other.RunToEndAsync(runId).WaitAsync(EmailHost.Guard));
        await using var smtp = SmtpTestServer.Start();

        await using var host = await EmailHost.StartAsync(postgres, smtp.Port, connectionString: database);

        Assert.Single(await host.SettledAsync(runId));
        var message = Assert.Single(smtp.Messages);
        Assert.Equal("[Luigi] EmailTestPipeline: EmailStep(name=A, note=nightly) failed on other-host", message.Subject);
    }

    [Fact]
    public async Task TwoHostsOnOneStore_SendEachMessageOnce()
    {
        await using var smtp = SmtpTestServer.Start();
        var database = await postgres.CreateDatabaseAsync();
        await using var first = await EmailHost.StartAsync(postgres, smtp.Port, connectionString: database);
        await using var second = await EmailHost.StartAsync(postgres, smtp.Port, connectionString: database);
        await second.StatusAsync();

        var runIds = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            runIds.Add(await first.RunAsync(new { tasks = "A,B,C,D", fail = "*", note = $"run {i}" }, RunState.Failed));
        }

        foreach (var runId in runIds)
        {
            Assert.Single(await first.SettledAsync(runId));
        }

        // Each failure reaches the recipients once: no message twice, and every failed task of every run in exactly one
        // message (a run's failures fall into one digest, or more when they spread over more than one window).
        Assert.Equal(smtp.Messages.Count, smtp.Messages.Select(m => m.TextBody).Distinct().Count());
        for (var i = 0; i < runIds.Count; i++)
        {
            var ofRun = smtp.Messages.Where(m => m.TextBody!.Contains($"/runs/{runIds[i]}")).ToList();
            Assert.NotEmpty(ofRun);
            foreach (var task in new[] { "A", "B", "C", "D" })
            {
                Assert.Single(ofRun, m => m.TextBody!.Contains($"EmailStep(name={task}, note=run {i})"));
            }
        }
    }

    [Fact]
    public async Task SmtpDownThenUp_TheErrorShowsMeanwhile_AndTheMessageGoesExactlyOnce()
    {
        var port = SmtpTestServer.FreePort();
        await using var host = await EmailHost.StartAsync(postgres, port);

        var runId = await host.RunAsync(new { tasks = "A", fail = "A" }, RunState.Failed);

        var down = await Eventually.Async(host.StatusAsync, s => s.LastError is not null);
        Assert.True(down.Failing);
        Assert.Equal(1, down.Pending);
        Assert.Null(down.LastSentAt);
        Assert.Contains("refused", down.LastError, StringComparison.OrdinalIgnoreCase);

        await using var smtp = SmtpTestServer.Start(port);
        var row = Assert.Single(await host.SettledAsync(runId));

        Assert.NotNull(row.SentAt);
        Assert.True(row.Attempts >= 2);
        var up = await host.StatusAsync();
        Assert.Equal((0, false), (up.Pending, up.Failing));
        Assert.NotNull(up.LastSentAt);
        Assert.Single(smtp.Messages);
    }
}
