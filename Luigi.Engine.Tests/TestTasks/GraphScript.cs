namespace Luigi.Engine.Tests.TestTasks;

/// <summary>
/// A small graph of <see cref="ScriptedTask"/>s described by name, with a shared recorder and target store.
/// Define everything before running: the definitions are read concurrently during the run.
/// </summary>
public sealed class GraphScript
{
    private readonly Dictionary<string, TaskSpec> _specs = new(StringComparer.Ordinal);

    public EventRecorder Recorder { get; } = new();

    public InMemoryTargetStore Store { get; } = new();

    public IReadOnlyCollection<TaskSpec> Specs => _specs.Values;

    /// <summary>The spec of <paramref name="name"/>, created on first use.</summary>
    public TaskSpec Define(string name)
    {
        if (!_specs.TryGetValue(name, out var spec))
        {
            spec = new TaskSpec(name);
            _specs.Add(name, spec);
        }

        return spec;
    }

    public LuigiTask Create(string name) =>
        new ScriptedTask(this, _specs.TryGetValue(name, out var spec) ? spec : throw new KeyNotFoundException($"No task {name} defined."));

    public IReadOnlyList<LuigiTask> Roots(params string[] names) => names.Select(Create).ToArray();

    /// <summary>The tasks nothing else requires.</summary>
    public IReadOnlyList<LuigiTask> Roots() =>
        _specs.Keys.Where(n => !_specs.Values.Any(s => s.Requirements.Contains(n))).Select(Create).ToArray();

    /// <summary>Sequence from the source document: TaskB requires TaskA.</summary>
    public static GraphScript Sequence()
    {
        var script = new GraphScript();
        script.Define("TaskA");
        script.Define("TaskB").Requires("TaskA");
        return script;
    }

    /// <summary>Parallel join from the source document: TaskC requires TaskA and TaskB.</summary>
    public static GraphScript ParallelJoin()
    {
        var script = new GraphScript();
        script.Define("TaskA");
        script.Define("TaskB");
        script.Define("TaskC").Requires("TaskA", "TaskB");
        return script;
    }

    /// <summary>The A..G example of the source document: C needs A, B; E needs D; G needs C, E, F.</summary>
    public static GraphScript ComplexExample()
    {
        var script = new GraphScript();
        foreach (var name in new[] { "TaskA", "TaskB", "TaskD", "TaskF" })
        {
            script.Define(name);
        }

        script.Define("TaskC").Requires("TaskA", "TaskB");
        script.Define("TaskE").Requires("TaskD");
        script.Define("TaskG").Requires("TaskC", "TaskE", "TaskF");
        return script;
    }

    public static GraphScript Named(string graph) => graph switch
    {
        nameof(Sequence) => Sequence(),
        nameof(ParallelJoin) => ParallelJoin(),
        nameof(ComplexExample) => ComplexExample(),
        _ => throw new ArgumentOutOfRangeException(nameof(graph), graph, "Unknown graph."),
    };
}
