using System.Net;
using System.Text.RegularExpressions;

namespace Luigi.Web.Tests.Auth;

/// <summary>
/// The sign-in page as a browser without scripts uses it: GET the page, post its form back with the hidden fields it
/// rendered (the antiforgery token, the form's name, the return address) and the values typed in.
/// </summary>
public static partial class SignInForm
{
    /// <summary>Posts the form of <paramref name="page"/> (HTML) named <paramref name="formName"/> to <paramref name="url"/> with <paramref name="values"/>.</summary>
    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string url, string page, string formName, IReadOnlyDictionary<string, string> values)
    {
        var form = FormsOf(page).Single(f => Hidden(f).GetValueOrDefault("_handler") == formName);
        var fields = Hidden(form);
        foreach (var (name, value) in values)
        {
            fields[name] = value;
        }

        return client.PostAsync(url, new FormUrlEncodedContent(fields));
    }

    /// <summary>Signs in as <paramref name="userName"/> with <paramref name="password"/>, from <paramref name="url"/>.</summary>
    public static async Task<(HttpResponseMessage Response, string Body)> SignInAsync(HttpClient client, string userName, string password, string url = "/signin")
    {
        var page = await client.GetStringAsync(url);
        var response = await PostAsync(client, url, page, "signin", new Dictionary<string, string> { ["Input.UserName"] = userName, ["Input.Password"] = password });
        return (response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Whether <paramref name="response"/> set the session cookie.</summary>
    public static bool SetsSession(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("luigi.session=", StringComparison.Ordinal) && !c.Contains("expires=Thu, 01 Jan 1970", StringComparison.Ordinal));

    /// <summary>The page's error message, decoded; null when it shows none.</summary>
    public static string? ErrorOf(string page) =>
        ErrorPattern().Match(page) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    private static IEnumerable<string> FormsOf(string page) => FormPattern().Matches(page).Select(m => m.Value);

    private static Dictionary<string, string> Hidden(string form) =>
        HiddenPattern().Matches(form).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));

    [GeneratedRegex("<form[^>]*>.*?</form>", RegexOptions.Singleline)]
    private static partial Regex FormPattern();

    [GeneratedRegex("<input[^>]*type=\"hidden\"[^>]*name=\"(?<name>[^\"]+)\"[^>]*value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenPattern();

    [GeneratedRegex("data-testid=\"signin-error\">([^<]*)<")]
    private static partial Regex ErrorPattern();
}
