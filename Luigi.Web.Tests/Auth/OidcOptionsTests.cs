using System.Security.Claims;
using Luigi.Web.Auth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Luigi.Web.Tests.Auth;

/// <summary>The <c>Luigi:Auth:Oidc</c> settings: what stops the host at start, and how claims become a Luigi role.</summary>
public sealed class OidcOptionsTests
{
    private static OidcOptions Valid() => new()
    {
        Authority = "https://login.example.com/realms/data",
        ClientId = "luigi",
        ClientSecret = "s3cret",
        Audience = "luigi-api",
    };

    [Fact]
    public void Unconfigured_IsOff_AndValid()
    {
        var options = new AuthOptions();
        Assert.False(options.Oidc.Enabled);
        Assert.Empty(options.Errors());
        Assert.Empty(new AuthOptions { Oidc = Valid() }.Errors());
    }

    [Fact]
    public void InteractiveSignIn_WithoutASecret_IsRefused_NamingTheSetting()
    {
        var options = new AuthOptions { Oidc = Valid() };
        options.Oidc.ClientSecret = " ";

        var error = Assert.Single(options.Errors());
        Assert.Contains("Luigi:Auth:Oidc:ClientSecret", error);
        Assert.Throws<OptionsValidationException>(options.Validate);
    }

    [Theory]
    [InlineData("login.example.com")]
    [InlineData("ftp://login.example.com")]
    [InlineData("http://login.example.com")] // over http only with RequireHttpsMetadata off
    public void ABadAuthority_IsRefused(string authority)
    {
        var options = new AuthOptions { Oidc = Valid() };
        options.Oidc.Authority = authority;

        Assert.Contains(options.Errors(), e => e.Contains("Luigi:Auth:Oidc:Authority") && e.Contains(authority));
    }

    [Fact]
    public void AnHttpAuthority_IsAccepted_WithRequireHttpsMetadataOff()
    {
        var options = new AuthOptions { Oidc = Valid() };
        options.Oidc.Authority = "http://127.0.0.1:8081";
        options.Oidc.RequireHttpsMetadata = false;

        Assert.Empty(options.Errors());
    }

    [Fact]
    public void AnAuthorityWithNeitherClientNorAudience_IsRefused()
    {
        var options = new AuthOptions { Oidc = new OidcOptions { Authority = "https://login.example.com" } };

        Assert.Contains(options.Errors(), e => e.Contains("ClientId") && e.Contains("Audience"));
    }

    [Fact]
    public void ARoleMapOrDefaultRoleNamingNoRole_IsRefused()
    {
        var options = new AuthOptions { Oidc = Valid() };
        options.Oidc.RoleMap["platform-admins"] = "Superuser";
        options.Oidc.DefaultRole = "Guest";

        var errors = options.Errors();
        Assert.Contains(errors, e => e.Contains("Luigi:Auth:Oidc:RoleMap:platform-admins") && e.Contains("Superuser"));
        Assert.Contains(errors, e => e.Contains("Luigi:Auth:Oidc:DefaultRole") && e.Contains("Guest"));
    }

    [Fact]
    public void TheSettings_BindFromConfiguration_AsTheDocsShowThem()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Luigi:Auth:Oidc:Authority"] = "https://login.microsoftonline.com/tenant-id/v2.0",
            ["Luigi:Auth:Oidc:ClientId"] = "client-id",
            ["Luigi:Auth:Oidc:ClientSecret"] = "secret",
            ["Luigi:Auth:Oidc:Audience"] = "api://luigi",
            ["Luigi:Auth:Oidc:RoleClaim"] = "groups",
            ["Luigi:Auth:Oidc:RoleMap:0b7e8f1c-admins"] = "Admin",
            ["Luigi:Auth:Oidc:Scopes:0"] = "openid",
            ["Luigi:Auth:Oidc:Scopes:1"] = "profile",
        }).Build();

        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>()!;

        Assert.Empty(options.Errors());
        Assert.True(options.Oidc.InteractiveSignIn);
        Assert.True(options.Oidc.BearerTokens);
        Assert.Equal(["openid", "profile"], options.Oidc.Scopes);
        Assert.Equal(LuigiRoles.Admin, options.Oidc.RoleFrom(["0B7E8F1C-ADMINS"]));
    }

    [Fact]
    public void BearerPrincipal_TakesTheNameClaim_TheHighestRole_FromSeparateClaimsOrAJsonArray()
    {
        var oidc = Valid();
        oidc.RoleClaim = "groups";
        oidc.NameClaim = "preferred_username";
        oidc.RoleMap["ops"] = "Operator";
        var token = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim("sub", "abc"), new Claim("preferred_username", "ada"), new Claim("groups", "viewer"), new Claim("groups", """["ops","other"]"""),
        ], "Bearer"));

        var principal = OidcSetup.BearerPrincipal(token, oidc);

        Assert.True(principal.Identity!.IsAuthenticated);
        Assert.Equal("ada", principal.Identity.Name);
        Assert.True(principal.IsInRole(LuigiRoles.Operator));
        Assert.False(principal.IsInRole(LuigiRoles.Viewer));
        Assert.Equal("abc", principal.FindFirstValue("sub"));
    }

    [Fact]
    public void BearerPrincipal_WithoutNameOrRole_IsNamedBySubject_AndHasNoRole()
    {
        var token = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "abc"), new Claim("roles", "unrelated")], "Bearer"));

        var principal = OidcSetup.BearerPrincipal(token, Valid());

        Assert.Equal("abc", principal.Identity!.Name);
        Assert.Empty(principal.FindAll(ClaimTypes.Role));
    }

    [Fact]
    public void FormActionOrigin_IsTheAuthoritysOrigin_OnlyWithInteractiveSignIn()
    {
        Assert.Equal("https://login.example.com", OidcSetup.FormActionOrigin(Valid()));
        Assert.Null(OidcSetup.FormActionOrigin(new OidcOptions { Authority = "https://login.example.com", Audience = "api" }));
        Assert.Null(OidcSetup.FormActionOrigin(new OidcOptions()));
    }
}
