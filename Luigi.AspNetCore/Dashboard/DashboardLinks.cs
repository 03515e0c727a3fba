using Microsoft.AspNetCore.Components;

namespace Luigi.Web.Dashboard;

/// <summary>The dashboard's links under the path Luigi is mapped at (<c>MapLuigi("/luigi")</c>).</summary>
public static class DashboardLinks
{
    /// <summary>
    /// The path of the dashboard's root without its trailing '/': "" when Luigi has the whole app, "/luigi" under
    /// <c>MapLuigi("/luigi")</c>. Links are written <c>@Links.Root()/runs</c>, so that they stay paths of this site.
    /// </summary>
    public static string Root(this NavigationManager navigation) => new Uri(navigation.BaseUri).AbsolutePath.TrimEnd('/');
}
