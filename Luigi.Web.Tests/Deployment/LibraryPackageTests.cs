using System.IO.Compression;

namespace Luigi.Web.Tests.Deployment;

/// <summary>
/// Luigi.AspNetCore packs as a library with the dashboard's built scripts inside, so a team's app that references the
/// package needs no Node.js: <see cref="TemplateTests"/> builds such an app with only the .NET SDK on the PATH and fetches
/// them from it under its prefix.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class LibraryPackageTests(PackedPackages packages)
{
    [Fact]
    public void ThePackage_CarriesTheDashboardScripts_AndBlazorsOwn()
    {
        using var package = ZipFile.OpenRead(packages.PackageOf("Luigi.AspNetCore"));
        var entries = package.Entries.Select(entry => entry.FullName).ToHashSet();

        Assert.Contains("staticwebassets/js/dashboard.js", entries);
        Assert.Contains("staticwebassets/_framework/blazor.web.js", entries);
        Assert.Contains("staticwebassets/css/app.css", entries);
    }
}
