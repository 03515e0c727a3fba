using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Luigi.Web.Auth;
using Microsoft.AspNetCore.Identity;

namespace Luigi.Dashboard.Bench;

/// <summary>How long the sign-in form takes to refuse a wrong password, for a user name that exists and one that does not.</summary>
internal sealed record SignInFigures(string Kind, string UserName, int Attempts, double P50Ms, double P95Ms, double MeanMs);

/// <summary>
/// Posts the sign-in form over loopback HTTP as a browser without scripts does (page, antiforgery token, form), alternating
/// an unknown user name and a known one with a wrong password, and times each post. The host's per-address limits are
/// lifted for it (<see cref="BenchHost"/>), so every post is checked.
/// </summary>
internal static partial class SignInBench
{
    public const string KnownUser = "bench-known";

    public static async Task<IReadOnlyList<SignInFigures>> MeasureAsync(BenchHost host, int attempts, CancellationToken ct)
    {
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<LuigiUser>>();
            if (await users.FindByNameAsync(KnownUser) is null)
            {
                var created = await users.CreateAsync(new LuigiUser { UserName = KnownUser, CreatedAt = DateTime.UtcNow }, "a bench password long enough");
                if (!created.Succeeded)
                {
                    throw new InvalidOperationException(string.Join(" ", created.Errors.Select(e => e.Description)));
                }
            }
        }

        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(host.BaseUrl),
        };
        var times = new Dictionary<string, List<double>> { [KnownUser] = [], ["bench-nobody"] = [] };
        for (var i = 0; i < 20; i++)
        {
            await PostAsync(client, i % 2 == 0 ? KnownUser : "bench-nobody", ct); // warm-up: JIT, pools, the stand-in hash
        }

        for (var i = 0; i < attempts; i++)
        {
            // Alternate which goes first, so neither always follows the other.
            foreach (var name in i % 2 == 0 ? new[] { KnownUser, "bench-nobody" } : ["bench-nobody", KnownUser])
            {
                times[name].Add(await PostAsync(client, name, ct));
            }
        }

        return [Figures("known user, wrong password", KnownUser, times[KnownUser]), Figures("unknown user", "bench-nobody", times["bench-nobody"])];
    }

    private static async Task<double> PostAsync(HttpClient client, string userName, CancellationToken ct)
    {
        var page = await client.GetStringAsync("/signin", ct);
        var fields = Hidden().Matches(Form().Match(page).Value).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        fields["Input.UserName"] = userName;
        fields["Input.Password"] = "not the password";
        var started = Stopwatch.GetTimestamp();
        using var response = await client.PostAsync("/signin", new FormUrlEncodedContent(fields), ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!body.Contains("Wrong user name or password.", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The sign-in form did not refuse {userName} as expected ({(int)response.StatusCode}).");
        }

        return elapsed;
    }

    private static SignInFigures Figures(string kind, string userName, List<double> times)
    {
        times.Sort();
        return new SignInFigures(kind, userName, times.Count, Math.Round(times[times.Count / 2], 2), Math.Round(times[(int)(times.Count * 0.95)], 2), Math.Round(times.Average(), 2));
    }

    [GeneratedRegex("<form[^>]*data-testid=\"signin-form\"[^>]*>.*?</form>", RegexOptions.Singleline)]
    private static partial Regex Form();

    [GeneratedRegex("<input[^>]*type=\"hidden\"[^>]*name=\"(?<name>[^\"]+)\"[^>]*value=\"(?<value>[^\"]*)\"")]
    private static partial Regex Hidden();
}
