namespace Luigi.Engine.Tests.TestTasks;

/// <summary>
/// Upper bounds on waits in tests. They never order anything: every wait completes on a signal, and the
/// bound only turns a hang (an engine that never signals) into a failure with a message.
/// </summary>
public static class TestTimeouts
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);
}
