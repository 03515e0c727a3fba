using Bunit;
using Luigi.Web.Components.Runs;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.Components;

/// <summary>The run page's Activity view: the audit trail of a real store, names shown as text.</summary>
public sealed class RunAuditTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private DashboardHarness _h = default!;

    public async Task InitializeAsync() => _h = await DashboardHarness.CreateAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Trail_ListsWhoTriggeredAndWhoCancelled_AndIsReadAgainWhenTheRunChanges()
    {
        var runId = await _h.Executor.EnqueueAsync(new RunRequest("ComplexExample", new Dictionary<string, string>(), RunTrigger.Api, "<b>ann</b>"));
        var audit = _h.Context.Render<RunAudit>(p => p.Add(a => a.RunId, runId).Add(a => a.State, RunState.Queued));
        audit.WaitForAssertion(() => Assert.Single(audit.FindAll("[data-testid=audit-entry]")), Wait);
        Assert.Equal("<b>ann</b>", audit.Find("[data-testid=audit-actor]").TextContent);
        Assert.Empty(audit.FindAll("[data-testid=audit-entry] b"));

        await _h.Executor.CancelAsync(runId, "bob", RunTrigger.Browser);
        audit.Render(p => p.Add(a => a.State, RunState.Cancelled));

        audit.WaitForAssertion(() => Assert.Equal(["Triggered", "Cancelled"],
            audit.FindAll("[data-testid=audit-entry]").Select(e => e.GetAttribute("data-action"))), Wait);
        Assert.Contains("bob", audit.FindAll("[data-testid=audit-actor]")[1].TextContent);
        Assert.Contains("via Browser", audit.FindAll("[data-testid=audit-entry]")[1].TextContent);
    }
}
