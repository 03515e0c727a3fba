namespace Luigi.Web.Email;

/// <summary>A composed message, or the reason it is not to be sent.</summary>
/// <param name="SkipReason">Why nothing is sent; null when there is a message.</param>
/// <param name="Recipients">Who gets it.</param>
/// <param name="Subject">Its subject.</param>
/// <param name="TextBody">The plain-text body.</param>
/// <param name="HtmlBody">The HTML body.</param>
public sealed record ComposedEmail(string? SkipReason, IReadOnlyList<string> Recipients, string Subject, string TextBody, string HtmlBody)
{
    /// <summary>Nothing to send, because of <paramref name="reason"/>.</summary>
    public static ComposedEmail Skip(string reason) => new(reason, [], "", "", "");
}
