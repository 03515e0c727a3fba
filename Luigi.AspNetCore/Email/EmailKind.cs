namespace Luigi.Web.Email;

/// <summary>What an outbox message is about.</summary>
public enum EmailKind
{
    /// <summary>The tasks of one run that finally failed within one batching window.</summary>
    Digest,

    /// <summary>The end of a run.</summary>
    Summary,

    /// <summary>A test message asked for by an operator.</summary>
    Test,
}
