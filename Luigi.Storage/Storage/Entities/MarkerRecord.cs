namespace Luigi.Engine.Storage.Entities;

/// <summary>
/// A marker row: proof that an update (usually a load into a table) happened, written in the same
/// transaction as the update itself. See <see cref="PostgresMarkerTarget"/>.
/// </summary>
public sealed class MarkerRecord
{
    /// <summary>What was updated, usually the task id.</summary>
    public required string UpdateId { get; set; }

    /// <summary>The table the update went to, for people reading the markers.</summary>
    public string? TargetTable { get; set; }

    public DateTime InsertedAt { get; set; }
}
