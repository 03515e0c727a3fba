using Microsoft.Extensions.Logging;

namespace Luigi.Engine;

/// <summary>
/// What a running attempt gets from the engine: who it is, a logger whose lines are kept with this
/// attempt (and shown on the dashboard under it), and the host's services in a scope of its own.
/// </summary>
public sealed class TaskContext
{
    private readonly Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlySet<string>>>? _satisfiedInRun;

    internal TaskContext(
        LuigiTask task, string runId, int attempt, int worker, ILogger logger, IServiceProvider services,
        Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlySet<string>>>? satisfiedInRun = null)
    {
        Services = services;
        Task = task;
        RunId = runId;
        Attempt = attempt;
        Worker = worker;
        Logger = logger;
        _satisfiedInRun = satisfiedInRun;
    }

    /// <summary>The task being run.</summary>
    public LuigiTask Task { get; }

    /// <summary>The run this attempt belongs to.</summary>
    public string RunId { get; }

    /// <summary>1 for the first attempt, 2 for the first retry, ...</summary>
    public int Attempt { get; }

    /// <summary>The worker slot (1-based) running it.</summary>
    public int Worker { get; }

    /// <summary>Lines logged here are kept per attempt.</summary>
    public ILogger Logger { get; }

    /// <summary>
    /// The host's services, in a scope made for this attempt and disposed when it ends: a scoped service (a
    /// <c>DbContext</c>) is one instance per attempt, never shared between attempts or retries. Lines that the task's own
    /// code writes to an <see cref="ILogger{TCategoryName}"/> from here during the attempt are kept with it too, as those of
    /// <see cref="Logger"/> are.
    /// </summary>
    public IServiceProvider Services { get; }

    /// <summary>Shorthand for an information line.</summary>
    public void Log(string message) => Logger.Log(LogLevel.Information, message);

    /// <summary>
    /// Requires more tasks at run time, when the task learns only while it runs what it needs (Luigi's dynamic dependencies:
    /// list the files that arrived, then require one cleaning task per file). When every task asked for is complete, or
    /// already done in this run, it returns their outputs at once and the attempt goes on. Otherwise the attempt is
    /// suspended: this method throws <see cref="DynamicRequirementsPendingException"/> (let it through: do not catch it),
    /// the tasks join the run's graph (merged by task id, complete ones pruned, a cycle refused with an error that fails this
    /// task), and this task waits for them holding no worker. Once they are done it is claimed again and
    /// <see cref="LuigiTask.RunAsync"/> is called again <em>from the start</em>: everything before the request must be safe to
    /// do twice (idempotent up to the request, as in Luigi), and asking for the same tasks again then returns at once. A
    /// suspension is no failure and uses none of the task's retries: the suspended attempt ends <see cref="TaskState.Pending"/>
    /// in the task's history, with the lines it logged, and the next attempt resumes the task.
    /// </summary>
    /// <returns>The outputs of the tasks, in order.</returns>
    /// <exception cref="DynamicRequirementsPendingException">Some task is not complete yet: the attempt is suspended.</exception>
    public async Task<IReadOnlyList<Target>> RequireAsync(IEnumerable<LuigiTask> tasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var requested = tasks.ToList();
        if (requested.Exists(t => t is null))
        {
            throw new ArgumentException($"{Task.TaskId} required a null task at run time.", nameof(tasks));
        }

        var missing = new List<LuigiTask>();
        foreach (var task in requested)
        {
            if (!await task.CompleteAsync(cancellationToken).ConfigureAwait(false))
            {
                missing.Add(task);
            }
        }

        if (missing.Count > 0 && _satisfiedInRun is not null)
        {
            // A task with no outputs is never complete: it counts as done once it ran in this run, as a static requirement does.
            var done = await _satisfiedInRun(missing.Select(t => t.TaskId).ToList(), cancellationToken).ConfigureAwait(false);
            missing.RemoveAll(t => done.Contains(t.TaskId));
        }

        if (missing.Count > 0)
        {
            throw new DynamicRequirementsPendingException(Task, requested);
        }

        return requested.SelectMany(t => t.Output()).ToArray();
    }

    /// <summary>Requires one more task at run time: see <see cref="RequireAsync(IEnumerable{LuigiTask}, CancellationToken)"/>.</summary>
    public Task<IReadOnlyList<Target>> RequireAsync(LuigiTask task, CancellationToken cancellationToken) => RequireAsync([task], cancellationToken);
}

/// <summary>
/// Thrown by <see cref="TaskContext.RequireAsync(IEnumerable{LuigiTask}, CancellationToken)"/> when a task required at run time
/// is not complete: the attempt is suspended until it is. Let it through <see cref="LuigiTask.RunAsync"/>; a task that
/// catches it and returns normally is taken as done without its requirements.
/// </summary>
public sealed class DynamicRequirementsPendingException(LuigiTask requester, IReadOnlyList<LuigiTask> tasks)
    : Exception($"{requester.TaskId} requires at run time: {string.Join(", ", tasks.Select(t => t.TaskId).Take(5))}{(tasks.Count > 5 ? $" and {tasks.Count - 5} more" : "")}")
{
    /// <summary>The tasks asked for.</summary>
    public IReadOnlyList<LuigiTask> Tasks { get; } = tasks;
}
