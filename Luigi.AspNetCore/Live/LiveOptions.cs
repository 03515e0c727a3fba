using Microsoft.Extensions.Options;

namespace Luigi.Web.Live;

/// <summary>Settings of the live feed (<c>Luigi:Live</c>), validated when the host starts.</summary>
public sealed class LiveOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Luigi:Live";

    /// <summary>Batches go out at most this often (and a change waits at most this long once the previous batch is out). Default 100 ms.</summary>
    public TimeSpan BatchInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Batches a subscriber may have waiting before it is deemed too far behind: its backlog is then dropped
    /// and it gets one batch with <see cref="LiveBatch.Resync"/> instead. Default 100 (10 s at the default interval).
    /// </summary>
    public int SubscriberBacklog { get; set; } = 100;

    /// <summary>Longest wait between two tries to reconnect the PostgreSQL listener or to publish a batch. Default 10 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>What is wrong with these settings; empty when they are usable.</summary>
    public IReadOnlyList<string> Errors()
    {
        var errors = new List<string>();
        if (BatchInterval <= TimeSpan.Zero || BatchInterval > TimeSpan.FromSeconds(10))
        {
            errors.Add($"{Section}:BatchInterval must be above zero and at most 10 s (was {BatchInterval}).");
        }

        if (SubscriberBacklog < 1)
        {
            errors.Add($"{Section}:SubscriberBacklog must be at least 1 (was {SubscriberBacklog}).");
        }

        if (ReconnectMaxDelay <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:ReconnectMaxDelay must be above zero (was {ReconnectMaxDelay}).");
        }

        return errors;
    }

    /// <summary>Throws when the settings are not usable.</summary>
    /// <exception cref="OptionsValidationException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        var errors = Errors();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(LiveOptions), errors);
        }
    }
}

/// <summary>Checks <see cref="LiveOptions"/> for the options system (<c>ValidateOnStart</c>).</summary>
internal sealed class LiveOptionsValidator : IValidateOptions<LiveOptions>
{
    public ValidateOptionsResult Validate(string? name, LiveOptions options) =>
        options.Errors() is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
}
