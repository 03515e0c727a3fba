using Luigi.Engine.Graph;

namespace Luigi.Engine.Events;

/// <summary>A task changed state in a run.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Node">The task (its state is already <paramref name="To"/>).</param>
/// <param name="From">The state before.</param>
/// <param name="To">The state after.</param>
/// <param name="Attempt">The attempt concerned (0 when no attempt was involved, e.g. UpstreamFailed).</param>
/// <param name="At">When, by the engine's clock.</param>
public sealed record TaskTransition(string RunId, TaskNode Node, TaskState From, TaskState To, int Attempt, DateTimeOffset At);
