using Luigi.Engine.Execution;
using Luigi.Engine.ReadModel;

namespace Luigi.Web.Dashboard;

/// <summary>The filters of the runs list as the user sets them, turned into the store's <see cref="RunFilter"/>.</summary>
public sealed class RunsQuery
{
    public string Pipeline { get; set; } = "";

    public string State { get; set; } = "";

    /// <summary>First day (UTC) of the runs' creation, inclusive.</summary>
    public DateOnly? From { get; set; }

    /// <summary>Last day (UTC) of the runs' creation, inclusive.</summary>
    public DateOnly? To { get; set; }

    public string Search { get; set; } = "";

    /// <summary>Only runs that failed within the last 24 hours (state Failed, finished since then).</summary>
    public bool FailedLastDay { get; set; }

    public int Page { get; set; } = 1;

    public int PageSize { get; set; } = 50;

    /// <summary>The store's filter for these settings at <paramref name="now"/> (UTC).</summary>
    public RunFilter ToFilter(DateTime now) => new(
        Pipeline: Pipeline.Length == 0 ? null : Pipeline,
        State: FailedLastDay ? RunState.Failed : Enum.TryParse<RunState>(State, out var state) ? state : null,
        FinishedSince: FailedLastDay ? now.AddHours(-24) : null,
        Since: From?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
        Page: Page,
        PageSize: PageSize,
        Until: To?.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
        Search: string.IsNullOrWhiteSpace(Search) ? null : Search);
}
