using System.Net;
using System.Net.Http.Json;
using Luigi.Web.Email;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Luigi.Web.Tests.Email;

/// <summary><c>/api/email</c>: the test message an operator sends, with and without SMTP authentication, and the status.</summary>
public sealed class EmailApiTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task TestEmail_Answers202_AndArrivesAtTheGivenAddress()
    {
        await using var smtp = SmtpTestServer.Start();
        await using var host = await EmailHost.StartAsync(postgres, smtp.Port);

        var response = await host.Client.PostAsJsonAsync("/api/email/test", new { to = "oncall@example.com" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var queued = (await response.Content.ReadFromJsonAsync<TestEmailQueued>(EmailHost.Json))!;
        Assert.Equal(["oncall@example.com"], queued.Recipients);
        var message = Assert.Single(await smtp.WaitForAsync(1, EmailHost.Guard));
        Assert.Equal("[Luigi] Test e-mail", message.Subject);
        Assert.Equal("oncall@example.com", Assert.Single(message.To.Mailboxes).Address);
        Assert.Equal("luigi@example.com", Assert.Single(message.From.Mailboxes).Address);
        Assert.Contains("This is a test e-mail from Luigi.", message.TextBody);
        var status = await Eventually.Async(host.StatusAsync, s => s.Pending == 0);
        Assert.True(status.Enabled);
        Assert.NotNull(status.LastSentAt);
    }

    [Fact]
    public async Task TestEmail_WithoutAddress_GoesToTheRecipients_AndABadAddressIs400()
    {
        await using var smtp = SmtpTestServer.Start();
        await using var host = await EmailHost.StartAsync(postgres, smtp.Port);

        var bad = await host.Client.PostAsJsonAsync("/api/email/test", new { to = "not an address" });
        var good = await host.Client.PostAsJsonAsync("/api/email/test", new { });

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = (await bad.Content.ReadFromJsonAsync<ValidationProblemDetails>(EmailHost.Json))!;
        Assert.Equal("'not an address' is not an e-mail address.", Assert.Single(problem.Errors["to"]));
        Assert.Equal(HttpStatusCode.Accepted, good.StatusCode);
        var message = Assert.Single(await smtp.WaitForAsync(1, EmailHost.Guard));
        Assert.Equal("ops@example.com", Assert.Single(message.To.Mailboxes).Address);
    }

    [Fact]
    public async Task Authentication_TheRightPasswordDelivers_AWrongOneShowsAsTheLastError()
    {
        await using var smtp = SmtpTestServer.Start(credentials: ("luigi", "s3cret"));
        await using var right = await EmailHost.StartAsync(postgres, smtp.Port,
            new Dictionary<string, string> { ["Luigi:Email:User"] = "luigi", ["Luigi:Email:Password"] = "s3cret" });
        await using var wrong = await EmailHost.StartAsync(postgres, smtp.Port,
            new Dictionary<string, string> { ["Luigi:Email:User"] = "luigi", ["Luigi:Email:Password"] = "guess" });

        await right.Client.PostAsJsonAsync("/api/email/test", new { });
        await wrong.Client.PostAsJsonAsync("/api/email/test", new { });

        Assert.Single(await smtp.WaitForAsync(1, EmailHost.Guard));
        Assert.Equal(["luigi"], smtp.AuthenticatedUsers);
        var status = await Eventually.Async(wrong.StatusAsync, s => s.LastError is not null);
        Assert.Equal((1, true), (status.Pending, status.Failing));
        Assert.Contains("Authentication", status.LastError);
        Assert.DoesNotContain("guess", status.LastError);
    }

    [Fact]
    public async Task TestEmail_WhenEmailIsOff_Is400SayingWhichSettingToChange()
    {
        await using var host = await EmailHost.StartAsync(postgres, SmtpTestServer.FreePort(),
            new Dictionary<string, string> { ["Luigi:Email:Enabled"] = "false" });

        var response = await host.Client.PostAsJsonAsync("/api/email/test", new { });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ValidationProblemDetails>(EmailHost.Json))!;
        Assert.Contains("Luigi:Email:Enabled", Assert.Single(problem.Errors["to"]));
        Assert.False((await host.StatusAsync()).Enabled);
    }
}
