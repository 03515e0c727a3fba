using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Luigi.Web.Email;

/// <summary>
/// Renders an <see cref="EmailReport"/> as plain text and as HTML. In the HTML every piece of text is
/// encoded (task ids, parameters, errors, logs all come from users' code and data), so a value like
/// <c>&lt;script&gt;</c> shows as text and never runs.
/// </summary>
public static class EmailBodies
{
    /// <summary>The plain-text body.</summary>
    public static string Text(EmailReport report)
    {
        var text = new StringBuilder().AppendLine(report.Heading).AppendLine();
        foreach (var (name, value) in report.Facts)
        {
            text.AppendLine($"{name}: {value}");
        }

        if (report.RunLink is not null)
        {
            text.AppendLine($"Run: {report.RunLink}");
        }

        foreach (var failure in report.Failures)
        {
            text.AppendLine().AppendLine($"== {failure.TaskId} ==");
            if (failure.Blocked is { } blocked)
            {
                text.AppendLine($"Blocked {blocked.Summary}: {blocked.List}");
            }

            text.AppendLine($"Link: {failure.Link}")
                .AppendLine($"Attempts: {failure.Attempts}").AppendLine($"Host: {failure.Host ?? "?"}")
                .AppendLine($"Failed at: {Format(failure.FailedAt)}");
            foreach (var (name, value) in failure.Parameters)
            {
                text.AppendLine($"Parameter {name}: {value}");
            }

            text.AppendLine().AppendLine("Error:").AppendLine(failure.Error ?? "(none recorded)");
            text.AppendLine().AppendLine($"Last {failure.LogTail.Count} log lines:");
            foreach (var line in failure.LogTail)
            {
                text.AppendLine($"  {line}");
            }
        }

        if (report.MoreFailures.Count > 0)
        {
            text.AppendLine().AppendLine($"Also failed ({report.MoreFailures.Count}): {string.Join(", ", report.MoreFailures)}");
        }

        foreach (var (title, body) in report.Notes)
        {
            text.AppendLine().AppendLine($"{title}:").AppendLine(body);
        }

        return text.ToString();
    }

    /// <summary>The HTML body; everything in it from the report is HTML-encoded.</summary>
    public static string Html(EmailReport report)
    {
        var html = new StringBuilder()
            .Append("<!doctype html><html><body style=\"font-family:sans-serif\">")
            .Append($"<h2>{E(report.Heading)}</h2><table>");
        foreach (var (name, value) in report.Facts)
        {
            html.Append($"<tr><th align=\"left\">{E(name)}</th><td>{E(value)}</td></tr>");
        }

        html.Append("</table>");
        if (report.RunLink is not null)
        {
            html.Append($"<p><a href=\"{E(report.RunLink)}\">Open the run on the dashboard</a></p>");
        }

        foreach (var failure in report.Failures)
        {
            html.Append($"<h3><a href=\"{E(failure.Link)}\">{E(failure.TaskId)}</a></h3>");
            if (failure.Blocked is { } blocked)
            {
                html.Append($"<p><strong>Blocked {E(blocked.Summary)}</strong>: {E(blocked.List)}</p>");
            }

            html.Append("<table>")
                .Append($"<tr><th align=\"left\">Attempts</th><td>{failure.Attempts}</td></tr>")
                .Append($"<tr><th align=\"left\">Host</th><td>{E(failure.Host ?? "?")}</td></tr>")
                .Append($"<tr><th align=\"left\">Failed at</th><td>{E(Format(failure.FailedAt))}</td></tr>");
            foreach (var (name, value) in failure.Parameters)
            {
                html.Append($"<tr><th align=\"left\">{E(name)}</th><td><code>{E(value)}</code></td></tr>");
            }

            html.Append("</table><h4>Error</h4>").Append($"<pre>{E(failure.Error ?? "(none recorded)")}</pre>")
                .Append($"<h4>Last {failure.LogTail.Count} log lines</h4><pre>{E(string.Join('\n', failure.LogTail))}</pre>");
        }

        if (report.MoreFailures.Count > 0)
        {
            html.Append($"<p>Also failed ({report.MoreFailures.Count}): {E(string.Join(", ", report.MoreFailures))}</p>");
        }

        foreach (var (title, body) in report.Notes)
        {
            html.Append($"<h4>{E(title)}</h4><pre>{E(body)}</pre>");
        }

        return html.Append("</body></html>").ToString();
    }

    private static string E(string value) => HtmlEncoder.Default.Encode(value);

    private static string Format(DateTime? at) =>
        at is { } value ? value.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "?";
}
