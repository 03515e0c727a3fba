using Luigi.Engine.Storage;
using Luigi.Web.Email;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Luigi.Web.Tests.Email;

/// <summary>Bad e-mail settings stop the host at start, naming each setting and what to put there.</summary>
public sealed class EmailOptionsTests
{
    [Fact]
    public void Host_RefusesToStart_WithIncompleteEmailSettings()
    {
        var database = Path.Combine(Path.GetTempPath(), $"luigi-test-{Guid.NewGuid():N}.db");
        using var factory = new LuigiWebFactory(StoreProvider.Sqlite, $"Data Source={database}").WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Luigi:Email:Enabled", "true");
            builder.UseSetting("Luigi:Email:Host", "");
            builder.UseSetting("Luigi:Email:From", "luigi");
            builder.UseSetting("Luigi:Email:Recipients:0", "ops@example.com");
            builder.UseSetting("Luigi:Email:Recipients:1", "not-an-address");
            builder.UseSetting("Luigi:Email:User", "luigi");
        });

        var error = Assert.Throws<InvalidOperationException>(() => factory.CreateClient());

        Assert.StartsWith("Invalid e-mail settings (Luigi:Email):", error.Message);
        Assert.Contains("Luigi:Email:Host is empty", error.Message);
        Assert.Contains("Luigi:Email:From is 'luigi'", error.Message);
        Assert.Contains("Luigi:Email:Recipients:1 is 'not-an-address'", error.Message);
        Assert.Contains("Luigi__Email__Password", error.Message);
        Assert.DoesNotContain("Recipients is empty", error.Message);
        Assert.False(File.Exists(database));
    }

    [Fact]
    public void Validate_AcceptsAnythingWhileEmailIsOff_AndAGoodConfigurationWhenOn()
    {
        new EmailOptions { Host = "", Port = -1 }.Validate();
        new EmailOptions
        {
            Enabled = true, Host = "smtp.example.com", Port = 587, Security = SmtpSecurity.StartTls, From = "Luigi <luigi@example.com>",
            Recipients = ["ops@example.com"], DashboardUrl = "https://luigi.example.com",
        }.Validate();
    }

    [Theory]
    [InlineData("Port", "70000", "Luigi:Email:Port is 70000")]
    [InlineData("BatchWindow", "-00:00:01", "Luigi:Email:BatchWindow is -00:00:01")]
    [InlineData("Retention", "00:30:00", "Luigi:Email:Retention (00:30:00) must be longer than Luigi:Email:SweepLookback (01:00:00)")]
    [InlineData("Recipients", "", "Luigi:Email:Recipients is empty")]
    [InlineData("DashboardUrl", "luigi.example.com", "Luigi:Email:DashboardUrl is 'luigi.example.com': give an absolute URL")]
    public void Validate_NamesTheBadSetting(string setting, string value, string expected)
    {
        var options = new EmailOptions { Enabled = true, Host = "smtp.example.com", From = "luigi@example.com" };
        typeof(EmailOptions).GetProperty(setting)!.SetValue(options, setting switch
        {
            "Port" => int.Parse(value),
            "BatchWindow" or "Retention" => TimeSpan.Parse(value),
            "Recipients" => new List<string>(),
            _ => value,
        });

        Assert.Contains(expected, Assert.Throws<InvalidOperationException>(options.Validate).Message);
    }
}
