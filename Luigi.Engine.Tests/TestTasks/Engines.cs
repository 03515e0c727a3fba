using Luigi.Engine.Events;

namespace Luigi.Engine.Tests.TestTasks;

/// <summary>Shorthands for building and running an engine in tests.</summary>
public static class Engines
{
    public static LuigiEngine Create(int workers, TimeProvider? time = null, params IExecutionObserver[] observers) =>
        Create(new LuigiEngineOptions { Workers = workers }, time, observers);

    public static LuigiEngine Create(LuigiEngineOptions options, TimeProvider? time = null, params IExecutionObserver[] observers) =>
        new(options, time, loggers: null, observers);

    /// <summary>Runs to the end, failing the test instead of hanging if the run never ends.</summary>
    public static Task<RunResult> RunToEndAsync(this LuigiEngine engine, IEnumerable<LuigiTask> roots, CancellationToken cancellationToken = default) =>
        engine.RunAsync(roots, cancellationToken).WaitAsync(TestTimeouts.Guard);

    /// <summary>Asserts success, showing the execution summary (with the errors) when it did not.</summary>
    public static void AssertSucceeded(RunResult result)
    {
        Assert.True(result.Succeeded, result.Summary.ToString());
        Assert.Equal(0, result.ExitCode);
    }
}
