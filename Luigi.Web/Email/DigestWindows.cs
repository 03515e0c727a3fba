namespace Luigi.Web.Email;

/// <summary>The batching of one run's failures into digest windows, as a pure function.</summary>
public static class DigestWindows
{
    /// <summary>
    /// The new windows that <paramref name="failures"/> (times at which tasks finally failed) call for,
    /// given the windows already written: the earliest failure no window covers opens a window of
    /// <paramref name="window"/>, which covers every later failure before its end; and so on.
    /// </summary>
    public static IReadOnlyList<(DateTime Start, DateTime End)> Plan(
        IEnumerable<DateTime> failures, IEnumerable<(DateTime Start, DateTime End)> existing, TimeSpan window)
    {
        var length = window > TimeSpan.Zero ? window : TimeSpan.FromTicks(1);
        var covered = existing.ToList();
        var added = new List<(DateTime Start, DateTime End)>();
        foreach (var at in failures.Order())
        {
            if (!covered.Any(w => w.Start <= at && at < w.End))
            {
                var opened = (at, at + length);
                covered.Add(opened);
                added.Add(opened);
            }
        }

        return added;
    }
}
