namespace Luigi.Engine.Graph;

/// <summary>
/// Checks what the tasks of a resolved graph declare of resources against the configured totals, before anything of the
/// run is stored: a resource with no total, an amount above its total (the task could never run) or a negative amount is
/// a mistake in the pipeline, and the run fails to resolve with a message naming the task, the resource and the total.
/// </summary>
public static class ResourceCheck
{
    /// <summary>Throws <see cref="ResourceException"/> naming the first task whose needs cannot be met.</summary>
    public static void Validate(TaskGraph graph, IReadOnlyDictionary<string, int> totals)
    {
        foreach (var node in graph.Nodes)
        {
            foreach (var (name, amount) in node.Resources)
            {
                if (amount < 0)
                {
                    throw new ResourceException($"Task {node.TaskId} declares a negative amount ({amount}) of resource '{name}'; amounts are 0 or more.");
                }

                if (!totals.TryGetValue(name, out var total))
                {
                    var known = totals.Count == 0 ? "none is configured" : "configured: " + string.Join(", ", totals.Keys.Order(StringComparer.Ordinal));
                    throw new ResourceException(
                        $"Task {node.TaskId} needs resource '{name}', which has no total (set Luigi:Resources:{name}; {known}).");
                }

                if (amount > total)
                {
                    throw new ResourceException(
                        $"Task {node.TaskId} needs {amount} of resource '{name}', more than its total of {total} (Luigi:Resources:{name}): it could never run.");
                }
            }
        }
    }
}

/// <summary>A task's declared resources cannot be met (see <see cref="ResourceCheck"/>).</summary>
public sealed class ResourceException(string message) : Exception(message);
