using System.Text.RegularExpressions;
using Luigi.Engine.Parameters;
using Luigi.Engine.Pipelines;

namespace Luigi.Engine.Schedules;

/// <summary>
/// What a schedule is, as an Operator or a <see cref="ScheduleAttribute"/> gives it: run <see cref="Pipeline"/> with
/// <see cref="Parameters"/> at every fire time of <see cref="Cron"/> read in <see cref="TimeZone"/>, with
/// <see cref="FireTimeParameter"/> (when set) taking the fire time moved by <see cref="FireTimeOffset"/>.
/// </summary>
public sealed partial record ScheduleDefinition
{
    /// <summary>Longest name: it is part of URLs and of every run it makes.</summary>
    public const int MaxNameLength = 100;

    /// <summary>Most missed fire times one catch-up runs.</summary>
    public const int MaxCatchUpLimit = 1000;

    public required string Name { get; init; }

    public required string Pipeline { get; init; }

    public required string Cron { get; init; }

    public string TimeZone { get; init; } = "UTC";

    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    public string? FireTimeParameter { get; init; }

    public string? FireTimeOffset { get; init; }

    public CatchUpPolicy CatchUp { get; init; } = CatchUpPolicy.LatestOnly;

    public int CatchUpLimit { get; init; } = 10;

    public bool SkipWhileActive { get; init; } = true;

    public bool Paused { get; init; }

    /// <summary>
    /// Checks every field against <paramref name="pipelines"/>: the name, the pipeline, the cron expression, the time zone,
    /// the binding and every parameter (bound as a tick would bind them, at the next fire time, with the pipeline's declared
    /// limits). Returns the pipeline's canonical name.
    /// </summary>
    /// <exception cref="ScheduleException">Something is wrong; each bad field is named (<c>parameters.date</c> for a parameter).</exception>
    public string Validate(PipelineRegistry pipelines, DateTimeOffset now)
    {
        var errors = new List<ScheduleError>();
        if (string.IsNullOrWhiteSpace(Name) || Name.Length > MaxNameLength || !NamePattern().IsMatch(Name))
        {
            errors.Add(new ScheduleError("name",
                $"A schedule's name is 1 to {MaxNameLength} letters, digits, '.', '_' or '-' (it appears in URLs); got '{CronTimes.Shorten(Name ?? "")}'."));
        }

        var cron = CronTimes.TryParseCron(Cron, errors);
        var zone = CronTimes.TryFindZone(TimeZone, errors);
        if (CatchUpLimit is < 1 or > MaxCatchUpLimit)
        {
            errors.Add(new ScheduleError("catchUpLimit", $"catchUpLimit is from 1 to {MaxCatchUpLimit}; got {CatchUpLimit}."));
        }

        if (!Enum.IsDefined(CatchUp))
        {
            errors.Add(new ScheduleError("catchUp", "catchUp is Skip, LatestOnly or All."));
        }

        var info = pipelines.Find(Pipeline ?? "");
        if (info is null)
        {
            errors.Add(new ScheduleError("pipeline",
                new UnknownPipelineException(Pipeline ?? "", pipelines.All.Select(p => p.Name).ToArray()).Message));
            throw new ScheduleException(errors);
        }

        var binding = BindingOrNull(info, errors);
        if (errors.Count == 0)
        {
            var fireAt = CronTimes.Parse(Cron, TimeZone).Next(now) ?? now;
            try
            {
                pipelines.Create(info.Name, ParametersAt(info, binding, fireAt, zone!)).Roots().ToList();
            }
            catch (ParameterException exception)
            {
                errors.AddRange(exception.Errors.Select(e => new ScheduleError($"parameters.{e.Parameter}", e.Message)));
            }
        }

        return errors.Count > 0 ? throw new ScheduleException(errors) : info.Name;
    }

    /// <summary>The binding of the fire time, or null; adds what is wrong with it to <paramref name="errors"/>.</summary>
    internal FireTimeBinding? BindingOrNull(PipelineInfo info, List<ScheduleError> errors)
    {
        if (string.IsNullOrWhiteSpace(FireTimeParameter))
        {
            if (!string.IsNullOrWhiteSpace(FireTimeOffset) && FireTimeOffset.Trim() != "0")
            {
                errors.Add(new ScheduleError("fireTimeOffset", "An offset is given without a fire-time parameter to apply it to."));
            }

            return null;
        }

        var parameter = ParameterSchema.For(info.Type).Find(FireTimeParameter.Trim());
        if (parameter is null)
        {
            errors.Add(new ScheduleError("fireTimeParameter",
                $"{info.Name} has no parameter '{CronTimes.Shorten(FireTimeParameter)}'. Its parameters: {string.Join(", ", info.Parameters.Select(p => p.Name))}."));
            return null;
        }

        if (!FireTimeBinding.CanBind(parameter.Type))
        {
            errors.Add(new ScheduleError("fireTimeParameter",
                $"'{parameter.Name}' is {parameter.ExpectedForm}: only a date or date-time parameter can take the fire time."));
            return null;
        }

        if (Parameters.Keys.Any(k => string.Equals(k, parameter.Name, StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add(new ScheduleError($"parameters.{parameter.Name}", $"'{parameter.Name}' is set from the fire time; leave it out of the parameters."));
        }

        try
        {
            return FireTimeBinding.Parse(parameter.Name, FireTimeOffset);
        }
        catch (ScheduleException exception)
        {
            errors.AddRange(exception.Errors);
            return null;
        }
    }

    /// <summary>The parameter values of the run for <paramref name="fireAt"/>.</summary>
    internal Dictionary<string, string> ParametersAt(PipelineInfo info, FireTimeBinding? binding, DateTimeOffset fireAt, TimeZoneInfo zone)
    {
        var values = new Dictionary<string, string>(Parameters);
        if (binding is not null)
        {
            values[binding.Parameter] = binding.ValueFor(fireAt, zone, ParameterSchema.For(info.Type).Find(binding.Parameter)!.Type);
        }

        return values;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
