using Luigi.Engine.Execution;
using Luigi.Engine.Parameters;
using Luigi.Engine.Pipelines;

namespace Luigi.Web.Dashboard;

/// <summary>
/// The trigger form of one pipeline: its fields, the server-side check (the engine's own parsing and the parameters'
/// declared limits, as for the API and the command line, and the pipeline's own checks when it builds its roots) and the
/// request it becomes.
/// </summary>
public sealed class TriggerFormModel(PipelineInfo pipeline, int maxTextLength = ParameterBindingOptions.DefaultMaxTextLength)
{
    public PipelineInfo Pipeline { get; } = pipeline;

    /// <summary>One field per parameter, in declaration order, with its limits.</summary>
    public IReadOnlyList<ParameterField> Fields { get; } = pipeline.Parameters.Select(p => new ParameterField(p, maxTextLength)).ToList();

    /// <summary>A problem that belongs to no field (a pipeline's own check naming no parameter).</summary>
    public string? FormError { get; private set; }

    /// <summary>The values to send: the fields filled in.</summary>
    public IReadOnlyDictionary<string, string> Values() =>
        Fields.Select(f => (f.Name, Value: f.Value())).Where(f => f.Value is not null).ToDictionary(f => f.Name, f => f.Value!);

    /// <summary>Clears the problems shown.</summary>
    public void ClearErrors()
    {
        FormError = null;
        foreach (var field in Fields)
        {
            field.Error = null;
        }
    }

    /// <summary>Shows each problem of <paramref name="exception"/> next to its field.</summary>
    public void ShowErrors(ParameterException exception)
    {
        ClearErrors();
        var others = new List<string>();
        foreach (var error in exception.Errors)
        {
            var field = Fields.FirstOrDefault(f => string.Equals(f.Name, error.Parameter, StringComparison.OrdinalIgnoreCase));
            if (field is null)
            {
                others.Add(error.Message);
            }
            else
            {
                field.Error = field.Error is null ? error.Message : $"{field.Error} {error.Message}";
            }
        }

        FormError = others.Count == 0 ? null : string.Join(" ", others);
    }

    /// <summary>
    /// Queues a run with the form's values (trigger Browser). Returns its id, or null when the values are
    /// wrong: each problem is then on its field and nothing was written.
    /// </summary>
    public async Task<Guid?> SubmitAsync(RunClient executor, string requestedBy, CancellationToken cancellationToken = default)
    {
        ClearErrors();
        try
        {
            return await executor.EnqueueAsync(new RunRequest(Pipeline.Name, Values(), RunTrigger.Browser, requestedBy), cancellationToken);
        }
        catch (ParameterException exception)
        {
            ShowErrors(exception);
            return null;
        }
    }
}
