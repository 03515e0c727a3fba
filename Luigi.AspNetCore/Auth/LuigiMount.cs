using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Luigi.Web.Auth;

/// <summary>
/// Where Luigi is mapped in its app (<c>MapLuigi</c>), and which requests are Luigi's. The fallback policy (sign in, with a
/// role) covers Luigi's requests only: when Luigi has the whole app (no prefix) that is every request, as before; under a
/// prefix it is the requests that reached Luigi's branch, so the app's own endpoints outside the prefix are not forced
/// through Luigi's sign-in.
/// </summary>
public sealed class LuigiMount
{
    private static readonly object Marker = new();

    /// <summary>The path Luigi is mapped at; empty when it has the whole app.</summary>
    public PathString Prefix { get; internal set; }

    /// <summary>Whether <c>MapLuigi</c> was called.</summary>
    public bool Mapped { get; internal set; }

    /// <summary>Marks <paramref name="context"/> as one of Luigi's requests.</summary>
    internal static void Mark(HttpContext context) => context.Items[Marker] = Marker;

    /// <summary>Whether the fallback policy applies to <paramref name="context"/>: Luigi has the whole app, or the request is Luigi's.</summary>
    internal bool Covers(HttpContext? context) => !Prefix.HasValue || (context is not null && context.Items.ContainsKey(Marker));
}

/// <summary>The default policy provider, whose fallback policy applies only to the requests <see cref="LuigiMount"/> covers.</summary>
internal sealed class MountedPolicyProvider(IOptions<AuthorizationOptions> options, LuigiMount mount, IHttpContextAccessor http) : IAuthorizationPolicyProvider
{
    private readonly DefaultAuthorizationPolicyProvider _policies = new(options);

    public Task<AuthorizationPolicy?> GetPolicyAsync(string policyName) => _policies.GetPolicyAsync(policyName);

    public Task<AuthorizationPolicy> GetDefaultPolicyAsync() => _policies.GetDefaultPolicyAsync();

    public Task<AuthorizationPolicy?> GetFallbackPolicyAsync() =>
        mount.Covers(http.HttpContext) ? _policies.GetFallbackPolicyAsync() : Task.FromResult<AuthorizationPolicy?>(null);
}
