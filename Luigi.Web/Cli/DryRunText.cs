using System.Globalization;
using System.Text;
using Luigi.Web.Dashboard;

namespace Luigi.Web.Cli;

/// <summary>A dry run's plan as the console prints it: totals, a table by family, then the tasks listed.</summary>
internal static class DryRunText
{
    public static string Format(DryRunPlan plan)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Dry run of {plan.Pipeline}: nothing was run.")
            .AppendLine(CultureInfo.InvariantCulture, $"{plan.Tasks} tasks: {plan.WouldRun} would run, {plan.Complete} complete already, {plan.Failed} cannot run.")
            .AppendLine();
        var width = Math.Max("family".Length, plan.Families.Count == 0 ? 0 : plan.Families.Max(f => f.Family.Length));
        text.AppendLine(CultureInfo.InvariantCulture, $"{"family".PadRight(width)}  {"would run",9}  {"complete",8}  {"cannot run",10}");
        foreach (var family in plan.Families)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{family.Family.PadRight(width)}  {family.WouldRun,9}  {family.Complete,8}  {family.Failed,10}");
        }

        var cannot = plan.Listed.Where(t => !t.WouldRun).ToList();
        if (cannot.Count > 0)
        {
            text.AppendLine().AppendLine("Cannot run:");
            foreach (var task in cannot)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {task.TaskId}: {task.Error}");
            }
        }

        var would = plan.Listed.Where(t => t.WouldRun).ToList();
        if (would.Count > 0)
        {
            text.AppendLine().AppendLine(would.Count < plan.WouldRun ? $"Would run (the first {would.Count} of {plan.WouldRun}):" : "Would run:");
            foreach (var task in would)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {task.TaskId}");
            }
        }

        return text.ToString();
    }
}
