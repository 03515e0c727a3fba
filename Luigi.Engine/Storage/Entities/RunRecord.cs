using Luigi.Engine.Execution;

namespace Luigi.Engine.Storage.Entities;

/// <summary>One execution of a pipeline with given parameters.</summary>
public sealed class RunRecord
{
    public Guid Id { get; set; }

    public required string Pipeline { get; set; }

    /// <summary>Parameter values as the user gave them (name to string), stored as JSON.</summary>
    public Dictionary<string, string> Parameters { get; set; } = [];

    public RunTrigger Trigger { get; set; }

    /// <summary>Who asked for it: a user name, an API token's owner, or the OS user of the command line.</summary>
    public string? RequestedBy { get; set; }

    /// <summary>For a re-run: the run it repeats.</summary>
    public Guid? ParentRunId { get; set; }

    /// <summary>For a re-run: what it covers.</summary>
    public RerunScope? RerunScope { get; set; }

    /// <summary>For <see cref="Execution.RerunScope.TaskAndDownstream"/>: the task forced to run again.</summary>
    public string? RerunTaskId { get; set; }

    /// <summary>For a run of a schedule: its name; with <see cref="FireAt"/>, unique (one run per fire time).</summary>
    public string? ScheduleName { get; set; }

    /// <summary>For a run of a schedule: the fire time it is for (UTC).</summary>
    public DateTime? FireAt { get; set; }

    /// <summary>For a run of a backfill: the backfill.</summary>
    public Guid? BackfillId { get; set; }

    public RunState State { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    /// <summary>Why the run could not start or failed as a whole (a cycle, a pipeline that throws).</summary>
    public string? Error { get; set; }

    /// <summary>The host that resolved the graph.</summary>
    public string? ResolvedBy { get; set; }

    public int TaskCount { get; set; }

    /// <summary>Tasks not yet in a final state; the run finishes when it reaches 0.</summary>
    public int UnfinishedCount { get; set; }

    /// <summary>The execution summary, once finished.</summary>
    public string? Summary { get; set; }
}
