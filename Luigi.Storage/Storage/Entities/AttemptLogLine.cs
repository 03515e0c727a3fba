using Microsoft.Extensions.Logging;

namespace Luigi.Engine.Storage.Entities;

/// <summary>One line logged by an attempt.</summary>
public sealed class AttemptLogLine
{
    public Guid RunId { get; set; }

    public int TaskIndex { get; set; }

    public int Attempt { get; set; }

    /// <summary>Order within the attempt.</summary>
    public int Sequence { get; set; }

    public DateTime At { get; set; }

    public LogLevel Level { get; set; }

    public required string Message { get; set; }
}
