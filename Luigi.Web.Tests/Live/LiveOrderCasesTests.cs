using System.Text.Json;
using Luigi.Engine;
using Luigi.Web.Dashboard;
using Luigi.Web.Live;
using Luigi.Engine.ReadModel;
using Luigi.Engine.Events;
using Luigi.Web.Tests.Infrastructure;

namespace Luigi.Web.Tests.Live;

/// <summary>
/// The live ordering rule, one set of cases for both sides (Luigi.AspNetCore/Live/live-order-cases.json): the server's
/// <see cref="TaskRow.Apply"/> (Blazor pages) and the browser's <c>supersedes</c> (graph and timeline), so that a
/// page and its graph never disagree on which change is the newest.
/// </summary>
public sealed class LiveOrderCasesTests
{
    private static readonly string Web = NodeTests.Library;

    public static TheoryData<string, int, string, int, bool, string> Cases()
    {
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(Web, "Live", "live-order-cases.json")));
        var data = new TheoryData<string, int, string, int, bool, string>();
        foreach (var c in file.RootElement.GetProperty("cases").EnumerateArray())
        {
            var held = c.GetProperty("held");
            var change = c.GetProperty("change");
            data.Add(held[0].GetString()!, held[1].GetInt32(), change[0].GetString()!, change[1].GetInt32(), c.GetProperty("applies").GetBoolean(),
                c.GetProperty("why").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TaskRow_AppliesAChange_OnlyWhenTheSharedRuleSaysItIsNewer(string heldState, int heldAttempt, string state, int attempt, bool applies, string why)
    {
        var row = new TaskRow(new TaskView(0, "Load", "Load", new Dictionary<string, string>(), true, Enum.Parse<TaskState>(heldState), heldAttempt,
            null, null, null, null, null, null, []));
        var change = new TaskChange(Guid.NewGuid(), 0, "Load", Enum.Parse<TaskState>(state), attempt, null, null, null, DateTime.UtcNow, "host");

        Assert.True(applies == row.Apply(change), why);
        Assert.Equal(applies ? Enum.Parse<TaskState>(state) : Enum.Parse<TaskState>(heldState), row.State);
    }

    [Fact]
    public async Task BrowserRule_PassesTheSameCases()
    {
        var output = await NodeTests.RunAsync("order.test.mjs");
        Assert.Contains($"# pass {Cases().Count}", output);
    }
}
