namespace Luigi.Web.Email;

/// <summary>The batching of one run's failures into digest windows, as a pure function.</summary>
public static class DigestWindows
{
    /// <summary>
    /// The new windows that <paramref name="failures"/> (times at which tasks finally failed) call for, given the windows
    /// already written. Windows lie on a grid of <paramref name="window"/> from the run's creation
    /// (<paramref name="anchor"/>): a failure falls in exactly one of them, whichever failures a host happens to see
    /// when it plans (hosts commit concurrently, so a later-stamped failure can be visible before an earlier one), and
    /// every host that plans the run writes the same windows. A window is written once it has a failure and no
    /// existing window covers that failure.
    /// </summary>
    public static IReadOnlyList<(DateTime Start, DateTime End)> Plan(
        IEnumerable<DateTime> failures, IEnumerable<(DateTime Start, DateTime End)> existing, TimeSpan window, DateTime anchor)
    {
        var length = window > TimeSpan.Zero ? window : TimeSpan.FromTicks(1);
        var covered = existing.ToList();
        var added = new List<(DateTime Start, DateTime End)>();
        foreach (var at in failures.Order())
        {
            if (!covered.Any(w => w.Start <= at && at < w.End))
            {
                var start = anchor + length * Math.Floor((at - anchor) / length);
                var opened = (start, start + length);
                covered.Add(opened);
                added.Add(opened);
            }
        }

        return added;
    }
}
