namespace Luigi.Web.Hosting;

/// <summary>What a host serves (<c>Luigi:Host:Role</c>).</summary>
public enum HostRole
{
    /// <summary>Everything: executor, e-mail sender, dashboard, API (default).</summary>
    All,

    /// <summary>The executor and the e-mail sender only; over HTTP just <c>/healthz</c> and <c>/healthz/ready</c>, for container
    /// health checks, and <c>/metrics</c> when Prometheus is on.</summary>
    Executor,
}

/// <summary>Reads <see cref="HostRole"/> from the configuration.</summary>
public static class HostRoleSetting
{
    /// <summary>The configuration key.</summary>
    public const string Key = "Luigi:Host:Role";

    /// <summary>The configured role; <see cref="HostRole.All"/> when unset.</summary>
    /// <exception cref="InvalidOperationException">The value is not a role; the message names the setting and the choices.</exception>
    public static HostRole Read(IConfiguration configuration)
    {
        var value = configuration[Key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return HostRole.All;
        }

        return Enum.TryParse<HostRole>(value, ignoreCase: true, out var role) && Enum.IsDefined(role)
            ? role
            : throw new InvalidOperationException($"{Key} is '{value}': use All (executor, dashboard and API) or Executor (executor only).");
    }
}
