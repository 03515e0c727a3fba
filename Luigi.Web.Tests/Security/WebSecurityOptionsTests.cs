using Luigi.Engine.Storage;
using Luigi.Web.Security;
using Microsoft.AspNetCore.Hosting;
using Luigi.Web.Tests.Infrastructure;

namespace Luigi.Web.Tests.Security;

/// <summary><c>Luigi:Web:AllowedOrigins</c> takes origins only, and a host with a malformed one does not start.</summary>
public sealed class WebSecurityOptionsTests
{
    [Theory]
    [InlineData("https://luigi.example.com")]
    [InlineData("https://luigi.example.com/")]
    [InlineData("http://10.0.0.5:8080")]
    public void AnOrigin_IsAccepted(string origin) =>
        Assert.Empty(new WebSecurityOptions { AllowedOrigins = [origin] }.Errors());

    [Theory]
    [InlineData("luigi.example.com")]
    [InlineData("https://luigi.example.com/dashboard")]
    [InlineData("ftp://luigi.example.com")]
    [InlineData("*")]
    public void ANonOrigin_IsRefused_NamingTheSetting(string value)
    {
        var error = Assert.Single(new WebSecurityOptions { AllowedOrigins = ["https://ok.example.com", value] }.Errors());
        Assert.Contains("Luigi:Web:AllowedOrigins:1", error);
        Assert.Contains(value, error);
    }

    [Fact]
    public async Task AHost_WithAMalformedOrigin_DoesNotStart_NamingTheSetting()
    {
        var file = Path.Combine(Path.GetTempPath(), $"luigi-{Guid.NewGuid():N}.db");
        await using var factory = new LuigiWebFactory(StoreProvider.Sqlite, $"Data Source={file};Pooling=False");
        await using var host = factory.WithWebHostBuilder(b => b.UseSetting("Luigi:Web:AllowedOrigins:0", "luigi.example.com"));

        var refused = Assert.ThrowsAny<Exception>(() => host.CreateClient());
        Assert.Contains("Luigi:Web:AllowedOrigins:0 is 'luigi.example.com'", refused.ToString());
        File.Delete(file);
    }
}
