using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Luigi.Web.Tests.Hosting;

/// <summary>A team's Program that maps Luigi wrongly is told what to write instead, when it starts.</summary>
public sealed class MapLuigiTests
{
    [Theory]
    [InlineData("luigi", "it does not start with '/'")]
    [InlineData("/luigi/?x", "a query or a fragment is not part of a path")]
    [InlineData("/luigi#top", "a query or a fragment is not part of a path")]
    [InlineData("/lu igi", "it holds a space")]
    [InlineData("/luigi//ops", "it has an empty, '.' or '..' segment")]
    [InlineData("/../luigi", "it has an empty, '.' or '..' segment")]
    public async Task MapLuigi_RefusesAPrefixThatIsNotAPath_SayingWhy(string prefix, string why)
    {
        await using var app = NewApp(addLuigi: true);

        var refused = Assert.Throws<ArgumentException>(() => app.MapLuigi(prefix));

        Assert.Contains($"MapLuigi needs a path prefix such as \"/luigi\"", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{prefix}\" is not one", refused.Message, StringComparison.Ordinal);
        Assert.Contains(why, refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/luigi")]
    [InlineData("/luigi/")]
    [InlineData("/ops/luigi")]
    public async Task MapLuigi_TakesAPathPrefix(string prefix)
    {
        await using var app = NewApp(addLuigi: true);

        app.MapLuigi(prefix);

        Assert.Equal(prefix.TrimEnd('/'), app.Services.GetRequiredService<Luigi.Web.Auth.LuigiMount>().Prefix.Value);
    }

    [Fact]
    public async Task MapLuigi_WithoutAddLuigi_SaysToCallAddLuigi()
    {
        await using var app = NewApp(addLuigi: false);

        var refused = Assert.Throws<InvalidOperationException>(() => app.MapLuigi("/luigi"));

        Assert.Contains("builder.Services.AddLuigi(builder.Configuration)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapLuigi_Twice_IsRefused()
    {
        await using var app = NewApp(addLuigi: true);
        app.MapLuigi("/luigi");

        var refused = Assert.Throws<InvalidOperationException>(() => app.MapLuigi("/ops"));

        Assert.Contains("Luigi is mapped already (at '/luigi')", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>A team's app, built but never started: mapping is checked when Program runs, before the host listens.</summary>
    private static WebApplication NewApp(bool addLuigi)
    {
        // Named as the host beside the tests, whose static web assets manifest the dashboard maps.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = "Luigi.Web" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Luigi:Store:Provider"] = "Sqlite",
            ["ConnectionStrings:Luigi"] = $"Data Source={Path.Combine(Path.GetTempPath(), $"luigi-map-{Guid.NewGuid():N}.db")}",
        });
        if (addLuigi)
        {
            builder.Services.AddLuigi(builder.Configuration);
        }

        return builder.Build();
    }
}
