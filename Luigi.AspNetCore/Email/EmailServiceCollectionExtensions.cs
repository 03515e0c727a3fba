using Luigi.Engine.Events;

namespace Luigi.Web.Email;

/// <summary>Registers failure e-mail.</summary>
public static class EmailServiceCollectionExtensions
{
    /// <summary>
    /// Reads and validates <c>Luigi:Email</c> (a bad setting stops the host, naming it) and registers the
    /// outbox (its own model on the store's database, migrated at start) and <see cref="EmailStatusService"/>; when e-mail is enabled, also the observer of this host's
    /// failures and the background sender. Call after the store is registered.
    /// </summary>
    public static IServiceCollection AddLuigiEmail(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(EmailOptions.Section).Get<EmailOptions>() ?? new EmailOptions();
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton<EmailSignal>();
        services.AddSingleton<EmailStore>();
        services.AddHostedService<EmailStoreMigration>();
        services.AddSingleton<EmailOutbox>();
        services.AddSingleton<EmailStatusService>();
        if (options.Enabled)
        {
            services.AddSingleton<EmailPlanner>();
            services.AddSingleton<EmailComposer>();
            services.AddSingleton<MailKitTransport>();
            services.AddSingleton<IRunObserver, EmailFailureObserver>();
            services.AddHostedService<EmailSender>();
        }

        return services;
    }
}
