using Bunit;
using Luigi.Web.Components.Shared;
using Luigi.Web.Email;
using Microsoft.Extensions.DependencyInjection;

namespace Luigi.Web.Tests.Components;

/// <summary>The overview's e-mail panel on a real outbox (SQLite): status, the last delivery error, a test message.</summary>
public sealed class EmailPanelTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private DashboardHarness _h = default!;

    public async Task InitializeAsync() => _h = await DashboardHarness.CreateAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private IRenderedComponent<EmailPanel> Open()
    {
        var panel = _h.Context.Render<EmailPanel>();
        panel.WaitForElement("[data-testid=email-pending]", Wait);
        return panel;
    }

    [Fact]
    public void SendTest_ToAnAddress_QueuesIt_AndTheCountOfWaitingMessagesGrows()
    {
        var panel = Open();
        Assert.Equal("On", panel.Find("[data-testid=email-enabled]").TextContent);
        Assert.Equal("0", panel.Find("[data-testid=email-pending]").TextContent);

        panel.Find("[data-testid=email-test-to]").Change("ops@example.com");
        panel.Find("[data-testid=email-test-form]").Submit();

        panel.WaitForAssertion(() => Assert.Equal("Test e-mail queued for ops@example.com.", panel.Find("[data-testid=email-test-outcome]").TextContent), Wait);
        Assert.Equal("1", panel.Find("[data-testid=email-pending]").TextContent);
    }

    [Fact]
    public void SendTest_ToSomethingThatIsNotAnAddress_SaysSo_AndQueuesNothing()
    {
        var panel = Open();

        panel.Find("[data-testid=email-test-to]").Change("not an address");
        panel.Find("[data-testid=email-test-form]").Submit();

        panel.WaitForAssertion(() => Assert.Contains("is not an e-mail address", panel.Find("[data-testid=email-test-outcome]").TextContent), Wait);
        Assert.Equal("0", panel.Find("[data-testid=email-pending]").TextContent);
    }

    [Fact]
    public void EmailSwitchedOff_IsShown_AndTheTestNamesTheSettingToChange()
    {
        _h.EmailSettings.Enabled = false;
        var panel = Open();
        Assert.StartsWith("Off", panel.Find("[data-testid=email-enabled]").TextContent);

        panel.Find("[data-testid=email-test-form]").Submit();

        panel.WaitForAssertion(() => Assert.Contains("Luigi:Email:Enabled", panel.Find("[data-testid=email-test-outcome]").TextContent), Wait);
    }

    [Fact]
    public async Task LastDeliveryError_IsShownAsFailing_AsTextNotMarkup()
    {
        var status = _h.Context.Services.GetRequiredService<EmailStatusService>();
        var queued = await status.SendTestAsync(null, "tester");
        var outbox = _h.Context.Services.GetRequiredService<EmailOutbox>();
        await outbox.MarkFailedAsync(queued.Id, "5.7.1 <script>alert(1)</script> relay denied", DateTime.UtcNow.AddMinutes(1), CancellationToken.None);

        var panel = Open();

        var error = panel.Find("[data-testid=email-last-error]");
        Assert.Equal("alert", error.GetAttribute("role"));
        Assert.Contains("Delivery is failing", error.TextContent);
        Assert.Contains("<script>alert(1)</script> relay denied", error.TextContent);
        Assert.Empty(error.QuerySelectorAll("script"));
    }
}
