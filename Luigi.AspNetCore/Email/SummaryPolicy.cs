namespace Luigi.Web.Email;

/// <summary>When the end of a run is reported by e-mail (<c>Luigi:Email:Summary</c>).</summary>
public enum SummaryPolicy
{
    /// <summary>When the run failed (default): one summary listing every failure, in place of digests not yet sent.</summary>
    OnFailure,

    /// <summary>At the end of every run, succeeded, failed or cancelled.</summary>
    Always,

    /// <summary>Never: failures are reported by digests only.</summary>
    Never,
}
