namespace Luigi.Engine.Schedules;

/// <summary>Settings of the schedule ticker (<c>Luigi:Schedules</c>).</summary>
public sealed class ScheduleOptions
{
    /// <summary>Whether this host ticks schedules and drives backfills (every host does by default; the store keeps it to one run per fire time).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Longest wait between two ticks: how soon a schedule made or changed on another host is seen (the ticker wakes at each fire time anyway).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A fire time at most this old when a host ticks is on time; an older one was missed and follows the catch-up policy.</summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Checks the settings.</summary>
    /// <exception cref="InvalidOperationException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (PollInterval < TimeSpan.FromMilliseconds(10) || PollInterval > TimeSpan.FromHours(1))
        {
            throw new InvalidOperationException($"Luigi:Schedules:PollInterval is from 10 ms to 1 hour; got {PollInterval}.");
        }

        if (MisfireThreshold < TimeSpan.Zero || MisfireThreshold > TimeSpan.FromDays(1))
        {
            throw new InvalidOperationException($"Luigi:Schedules:MisfireThreshold is from 0 to 1 day; got {MisfireThreshold}.");
        }
    }
}
