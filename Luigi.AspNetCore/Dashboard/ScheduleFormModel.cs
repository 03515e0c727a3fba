using Luigi.Engine.Parameters;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Schedules;

namespace Luigi.Web.Dashboard;

/// <summary>
/// The schedule form: a schedule's fields and its pipeline's parameters as the trigger form types them
/// (<see cref="TriggerFormModel"/>), checked on the server by the same validation as the API (<see cref="ScheduleStore"/>);
/// each problem is shown next to its field and nothing is written.
/// </summary>
public sealed class ScheduleFormModel
{
    private readonly PipelineRegistry _registry;
    private TriggerFormModel? _parameters;

    /// <summary>A form for a new schedule, or to edit <paramref name="existing"/>.</summary>
    public ScheduleFormModel(PipelineRegistry registry, ScheduleView? existing = null, string? pipeline = null)
    {
        _registry = registry;
        Editing = existing?.Name;
        Name = existing?.Name ?? "";
        Cron = existing?.Cron ?? "0 6 * * *";
        TimeZone = existing?.TimeZone ?? "UTC";
        FireTimeParameter = existing?.FireTimeParameter ?? "";
        FireTimeOffset = existing?.FireTimeOffset ?? "-1d";
        CatchUp = existing?.CatchUp ?? CatchUpPolicy.LatestOnly;
        CatchUpLimit = existing?.CatchUpLimit ?? 10;
        SkipWhileActive = existing?.SkipWhileActive ?? true;
        Pipeline = existing?.Pipeline ?? pipeline ?? registry.All.FirstOrDefault()?.Name ?? "";
        if (existing is not null && _parameters is not null)
        {
            foreach (var field in _parameters.Fields)
            {
                if (existing.Parameters.TryGetValue(field.Name, out var value))
                {
                    field.Text = value;
                    field.Checked = bool.TryParse(value, out var on) && on;
                }
            }
        }
    }

    /// <summary>The name of the schedule being edited; null for a new one.</summary>
    public string? Editing { get; }

    public string Name { get; set; }

    /// <summary>The pipeline; changing it replaces the parameter fields.</summary>
    public string Pipeline
    {
        get => _parameters?.Pipeline.Name ?? "";
        set => _parameters = _registry.Find(value) is { } info
            ? _parameters?.Pipeline == info ? _parameters : new TriggerFormModel(info, _registry.BindingOptions.MaxTextLength)
            : null;
    }

    public string Cron { get; set; }

    public string TimeZone { get; set; }

    /// <summary>The date or date-time parameter that takes the fire time; empty for none.</summary>
    public string FireTimeParameter { get; set; }

    public string FireTimeOffset { get; set; }

    public CatchUpPolicy CatchUp { get; set; }

    public int CatchUpLimit { get; set; }

    public bool SkipWhileActive { get; set; }

    /// <summary>The pipeline's parameters that can take the fire time.</summary>
    public IReadOnlyList<string> BindableParameters =>
        _parameters?.Pipeline.Parameters.Where(p => FireTimeBinding.CanBind(p.Type)).Select(p => p.Name).ToList() ?? [];

    /// <summary>The parameter fields, without the one the fire time sets.</summary>
    public IReadOnlyList<ParameterField> Fields =>
        _parameters?.Fields.Where(f => !string.Equals(f.Name, FireTimeParameter, StringComparison.OrdinalIgnoreCase)).ToList() ?? [];

    /// <summary>Problems by field (<c>cron</c>, <c>timeZone</c>, ...), shown next to each.</summary>
    public Dictionary<string, string> Errors { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The definition the form holds.</summary>
    public ScheduleDefinition ToDefinition() => new()
    {
        Name = Editing ?? Name.Trim(),
        Pipeline = Pipeline,
        Cron = Cron,
        TimeZone = TimeZone,
        Parameters = Fields.Select(f => (f.Name, Value: f.Value())).Where(f => f.Value is not null).ToDictionary(f => f.Name, f => f.Value!),
        FireTimeParameter = string.IsNullOrWhiteSpace(FireTimeParameter) ? null : FireTimeParameter,
        FireTimeOffset = string.IsNullOrWhiteSpace(FireTimeParameter) ? null : FireTimeOffset,
        CatchUp = CatchUp,
        CatchUpLimit = CatchUpLimit,
        SkipWhileActive = SkipWhileActive,
    };

    /// <summary>Saves the schedule for <paramref name="actor"/> (made, or changed when editing); null when refused, with the problems shown.</summary>
    public async Task<ScheduleView?> SaveAsync(ScheduleStore schedules, string actor, CancellationToken cancellationToken = default)
    {
        Errors.Clear();
        _parameters?.ClearErrors();
        try
        {
            return Editing is { } name
                ? await schedules.UpdateAsync(name, ToDefinition(), actor, Luigi.Engine.Execution.RunTrigger.Browser, cancellationToken)
                    ?? throw new ScheduleException("name", $"The schedule '{name}' no longer exists.")
                : await schedules.CreateAsync(ToDefinition(), actor, Luigi.Engine.Execution.RunTrigger.Browser, cancellationToken);
        }
        catch (ScheduleException exception)
        {
            Show(exception.Errors);
            return null;
        }
        catch (ScheduleConflictException exception)
        {
            Errors["name"] = exception.Message;
            return null;
        }
    }

    private void Show(IEnumerable<ScheduleError> errors)
    {
        var parameters = new List<ParameterError>();
        foreach (var error in errors)
        {
            if (error.Field.StartsWith("parameters.", StringComparison.Ordinal))
            {
                parameters.Add(new ParameterError(error.Field["parameters.".Length..], error.Message));
            }
            else
            {
                Errors[error.Field] = Errors.TryGetValue(error.Field, out var before) ? $"{before} {error.Message}" : error.Message;
            }
        }

        if (parameters.Count > 0 && _parameters is not null)
        {
            _parameters.ShowErrors(new ParameterException(parameters));
            if (_parameters.FormError is { } other)
            {
                Errors["parameters"] = other;
            }
        }
    }
}
