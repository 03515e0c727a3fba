using Luigi.Engine;
using Luigi.Engine.Execution;
using Luigi.Engine.Events;

namespace Luigi.Web.Email;

/// <summary>
/// Hears this host's final failures and finished runs, after they are committed, and wakes the sender to
/// plan their e-mail at once. It writes nothing itself (it runs on the executor's hot path); what it would
/// miss (a crash before the sender ran, another host's failures) the sender's sweep of the store finds.
/// </summary>
public sealed class EmailFailureObserver(EmailSignal signal) : IRunObserver
{
    /// <inheritdoc />
    public void OnTaskChanged(TaskChange change)
    {
        if (change.State == TaskState.Failed)
        {
            signal.Notify(change.RunId);
        }
    }

    /// <inheritdoc />
    public void OnRunFinished(Guid runId, RunState state) => signal.Notify(runId);
}
