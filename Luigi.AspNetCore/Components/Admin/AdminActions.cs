using Luigi.Web.Auth;
using Luigi.Web.Dashboard;

namespace Luigi.Web.Components.Admin;

/// <summary>
/// Runs an administrator's action from a page: first checks, on the server and against the page's current
/// authentication state, that the user may administer, then runs it on a fresh <see cref="UserAdministration"/> (its own
/// database context, so that an open page never acts on users it read minutes ago).
/// </summary>
public sealed class AdminActions(DashboardUser user, IServiceScopeFactory scopes)
{
    /// <summary>Runs <paramref name="action"/> as the signed-in administrator, named so in the log.</summary>
    /// <exception cref="DashboardAccessDeniedException">The user may not administer (any more).</exception>
    public async Task<T> RunAsync<T>(string what, Func<UserAdministration, AdminActor, Task<T>> action)
    {
        var name = await user.DemandAsync(LuigiPolicies.Administer, what);
        var actor = new AdminActor(await user.IdAsync(), name);
        await using var scope = scopes.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<UserAdministration>(), actor);
    }

    /// <inheritdoc cref="RunAsync{T}"/>
    public Task RunAsync(string what, Func<UserAdministration, AdminActor, Task> action) =>
        RunAsync(what, async (admin, actor) => { await action(admin, actor); return true; });
}
