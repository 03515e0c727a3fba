using Luigi.Engine;
using Luigi.Engine.Execution;

namespace Luigi.Web.Dashboard;

/// <summary>
/// How a state looks on the dashboard: its text and its tone. One set of tones serves task and run states, so
/// that a colour means the same everywhere; the colours themselves are the CSS custom properties
/// <c>--state-&lt;tone&gt;</c> of <c>app.css</c>, which the graph and the timeline read too.
/// </summary>
public static class StateStyle
{
    /// <summary>The words shown for a task state.</summary>
    public static string Label(TaskState state) => state switch
    {
        TaskState.RetryWaiting => "Retry waiting",
        TaskState.UpstreamFailed => "Upstream failed",
        TaskState.Waiting => "Waiting",
        _ => state.ToString(),
    };

    /// <summary>The words shown for an external task that is RetryWaiting because its data has not arrived, not to retry a failure.</summary>
    public const string WaitingForData = "Waiting for data";

    /// <summary>The words shown for a run state.</summary>
    public static string Label(RunState state) => state.ToString();

    /// <summary>The tone of a task state: its name in lower case (<c>retrywaiting</c>, <c>upstreamfailed</c>...).</summary>
    public static string Tone(TaskState state) => state.ToString().ToLowerInvariant();

    /// <summary>The tone of a run state, borrowed from the task state it resembles.</summary>
    public static string Tone(RunState state) => Tone(state switch
    {
        RunState.Queued or RunState.Resolving => TaskState.Pending,
        RunState.Running => TaskState.Running,
        RunState.Succeeded => TaskState.Done,
        RunState.Failed => TaskState.Failed,
        _ => TaskState.Cancelled,
    });

    /// <summary>True while a run may still change: it can be cancelled.</summary>
    public static bool IsActive(RunState state) => state is RunState.Queued or RunState.Resolving or RunState.Running or RunState.Cancelling;
}
