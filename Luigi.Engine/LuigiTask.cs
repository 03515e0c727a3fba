using Luigi.Engine.Parameters;

namespace Luigi.Engine;

/// <summary>
/// A unit of work: what it <see cref="Requires"/>, what it <see cref="Output"/>s and how it runs
/// (<see cref="RunAsync"/>). One instance is the class plus its parameter values; instances with the
/// same <see cref="TaskId"/> are the same task and run once per run.
/// </summary>
/// <remarks>
/// Parameters are properties marked with <see cref="ParameterAttribute"/>, usually <c>init</c>-only so an
/// instance never changes after it is built. Every method may be called more than once, on any thread,
/// and before the requirements have run, so keep <see cref="Requires"/> and <see cref="Output"/> free of
/// side effects. An exception thrown by any of them fails this task only, with its stack trace.
/// </remarks>
public abstract class LuigiTask
{
    private string? _taskId;

    /// <summary>The family: the class name unless overridden. Tasks of a family share a colour in the graph.</summary>
    public virtual string Family => GetType().Name;

    /// <summary>
    /// Stable identity: <see cref="Family"/> plus the significant parameters in name order, e.g.
    /// <c>Aggregate(date=2026-11-26)</c>. Computed once per instance.
    /// </summary>
    public string TaskId => _taskId ??= ParameterSchema.For(GetType()).FormatId(Family, this);

    /// <summary>Higher runs first among ready tasks. Default 0.</summary>
    public virtual int Priority => 0;

    /// <summary>How failures are retried; null uses the engine's default.</summary>
    public virtual RetryPolicy? Retry => null;

    /// <summary>Longest time one attempt may take; null means no limit. The attempt's token is cancelled
    /// when it passes (cooperatively: a task that ignores its token keeps its worker until it returns).</summary>
    public virtual TimeSpan? Timeout => null;

    /// <summary>
    /// What the task holds of shared resources while it runs: name and amount (e.g. one slot of <c>warehouse_db</c>).
    /// Totals are set per resource (<c>Luigi:Resources:&lt;name&gt;</c>); the executor never lets the tasks running on
    /// every host of a store hold more than a total. A name with no total, an amount above the total or a negative
    /// amount fails the run when it is resolved. Default: none.
    /// </summary>
    public virtual IReadOnlyDictionary<string, int> Resources => NoResources;

    internal static readonly IReadOnlyDictionary<string, int> NoResources = new Dictionary<string, int>();

    /// <summary>The tasks that must be complete before this one runs. Default: none.</summary>
    public virtual IEnumerable<LuigiTask> Requires() => [];

    /// <summary>What this task produces. A task with no outputs is never complete (as in Luigi) unless
    /// <see cref="CompleteAsync"/> is overridden.</summary>
    public virtual IEnumerable<Target> Output() => [];

    /// <summary>The outputs of the requirements, in the order <see cref="Requires"/> returns them.</summary>
    public IReadOnlyList<Target> Input() => Requires().SelectMany(r => r.Output()).ToArray();

    /// <summary>Does the work. Write outputs atomically (see <see cref="LocalFileTarget"/>) so that a crash
    /// half-way leaves nothing that looks complete.</summary>
    public abstract System.Threading.Tasks.Task RunAsync(TaskContext context, CancellationToken cancellationToken);

    /// <summary>True when the task need not run: by default, when it has outputs and all of them exist.</summary>
    public virtual async ValueTask<bool> CompleteAsync(CancellationToken cancellationToken)
    {
        var any = false;
        foreach (var target in Output())
        {
            any = true;
            if (!await target.ExistsAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return any;
    }

    /// <summary>
    /// True when every requirement is complete. Combine it with the default check to make a task
    /// incomplete when anything upstream went missing, so that deleting an intermediate output re-runs
    /// it and everything downstream of it:
    /// <c>await base.CompleteAsync(ct) &amp;&amp; await RequirementsCompleteAsync(ct)</c>.
    /// </summary>
    protected async ValueTask<bool> RequirementsCompleteAsync(CancellationToken cancellationToken)
    {
        foreach (var requirement in Requires())
        {
            if (!await requirement.CompleteAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The parameter values of this instance, formatted, in name order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> DescribeParameters() => ParameterSchema.For(GetType()).Describe(this);

    /// <inheritdoc />
    public override string ToString() => TaskId;
}
