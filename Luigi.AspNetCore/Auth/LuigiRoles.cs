namespace Luigi.Web.Auth;

/// <summary>
/// The roles a user can hold (one each), each allowing what the ones before it allow: a <see cref="Viewer"/> sees everything, an
/// <see cref="Operator"/> also triggers, re-runs and cancels runs and sends the test e-mail, an <see cref="Admin"/> also
/// manages users and API tokens.
/// </summary>
public static class LuigiRoles
{
    /// <summary>Sees pipelines, runs, tasks, logs and the e-mail status.</summary>
    public const string Viewer = "Viewer";

    /// <summary>A viewer who also triggers, re-runs and cancels runs and sends the test e-mail.</summary>
    public const string Operator = "Operator";

    /// <summary>An operator who also manages users and every user's API tokens.</summary>
    public const string Admin = "Admin";

    private static readonly string[] Ranked = [Viewer, Operator, Admin];

    /// <summary>Every role, least to most powerful.</summary>
    public static IReadOnlyList<string> All => Ranked;

    /// <summary>The role named <paramref name="name"/> (any case), spelled as above; null when there is none.</summary>
    public static string? Parse(string? name) => Rank(name) is var rank and >= 0 ? Ranked[rank] : null;

    /// <summary>The most powerful of <paramref name="roles"/>; null when none is a role of Luigi.</summary>
    public static string? Highest(IEnumerable<string> roles)
    {
        var highest = -1;
        foreach (var role in roles)
        {
            highest = Math.Max(highest, Rank(role));
        }

        return highest < 0 ? null : Ranked[highest];
    }

    /// <summary>The roles that allow what <paramref name="role"/> allows: it and every role above it.</summary>
    public static IReadOnlyList<string> AtLeast(string role) => Rank(role) is var rank and >= 0
        ? Ranked[rank..]
        : throw new ArgumentException($"'{role}' is not a role; roles are {string.Join(", ", Ranked)}.", nameof(role));

    /// <summary>The position of <paramref name="name"/> (any case) from least to most powerful; -1 when it is not a role.</summary>
    private static int Rank(string? name) => Array.FindIndex(Ranked, r => string.Equals(r, name?.Trim(), StringComparison.OrdinalIgnoreCase));
}

/// <summary>The authorization policies every route, hub method and dashboard action is checked against.</summary>
public static class LuigiPolicies
{
    /// <summary>Seeing anything: a Viewer, Operator or Admin, or anyone when anonymous viewers are allowed.</summary>
    public const string View = "luigi:view";

    /// <summary>Triggering, re-running and cancelling runs, sending the test e-mail: an Operator or Admin.</summary>
    public const string Operate = "luigi:operate";

    /// <summary>Managing users and API tokens: an Admin.</summary>
    public const string Administer = "luigi:administer";
}
