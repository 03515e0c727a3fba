using System.ComponentModel.DataAnnotations;
using Luigi.Web.Auth;

namespace Luigi.Web.Components.Account;

/// <summary>The sign-in form.</summary>
public sealed class SignInInput
{
    [Required(ErrorMessage = "Enter your user name.")]
    public string UserName { get; set; } = "";

    [Required(ErrorMessage = "Enter your password.")]
    public string Password { get; set; } = "";

    public string? ReturnUrl { get; set; }
}

/// <summary>The form that replaces a one-time password, carrying a short-lived reset token instead of the old password.</summary>
public sealed class ChoosePasswordInput
{
    [Required]
    public string UserId { get; set; } = "";

    [Required]
    public string Token { get; set; } = "";

    public string? ReturnUrl { get; set; }

    [Required(ErrorMessage = "Choose a new password.")]
    [MinLength(PasswordRules.MinimumLength, ErrorMessage = "The new password needs at least 12 characters.")]
    public string NewPassword { get; set; } = "";

    [Compare(nameof(NewPassword), ErrorMessage = "The two passwords differ.")]
    public string Confirm { get; set; } = "";
}

/// <summary>Where to go after signing in: a path of this site, never another site.</summary>
public static class ReturnUrls
{
    /// <summary><paramref name="url"/> when it is a local path (starts with one '/' and no '\'), else <paramref name="home"/>
    /// (the dashboard's root: "/", or "/luigi/" under <c>MapLuigi("/luigi")</c>).</summary>
    public static string Local(string? url, string home = "/") =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Contains('\\') ? url : home;
}

/// <summary>The form of the change-password page: the current password, and the new one twice.</summary>
public sealed class ChangePasswordInput
{
    [Required(ErrorMessage = "Enter your current password.")]
    public string CurrentPassword { get; set; } = "";

    [Required(ErrorMessage = "Choose a new password.")]
    [MinLength(PasswordRules.MinimumLength, ErrorMessage = "The new password needs at least 12 characters.")]
    public string NewPassword { get; set; } = "";

    [Compare(nameof(NewPassword), ErrorMessage = "The two passwords differ.")]
    public string Confirm { get; set; } = "";
}
