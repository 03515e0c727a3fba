namespace Luigi.Web.Auth;

/// <summary>A token refused to someone who does not own it, or a token that cannot be made; the message says why.</summary>
public sealed class PersonalTokenException(string message) : Exception(message);

/// <summary>
/// A signed-in user's own API tokens (scoped), as the account page manages them: only the owner's tokens are listed,
/// and revoking someone else's is refused here, on the server, whatever the page sent.
/// </summary>
public sealed class PersonalTokens(ApiTokenService tokens, TimeProvider time, ILogger<PersonalTokens> logger)
{
    /// <summary>The tokens of <paramref name="userId"/>, newest first.</summary>
    public Task<IReadOnlyList<ApiTokenView>> ListAsync(string userId, CancellationToken cancellationToken = default) =>
        tokens.ListAsync(userId, cancellationToken);

    /// <summary>
    /// Makes a token for <paramref name="userId"/> that works until the end of <paramref name="expiresOn"/> (UTC) or
    /// forever; its text is in the result and nowhere else.
    /// </summary>
    /// <exception cref="PersonalTokenException">No name, or the day is past.</exception>
    public async Task<NewApiToken> CreateAsync(string userId, string userName, string name, DateOnly? expiresOn)
    {
        DateTime? expiresAt = expiresOn is { } day ? day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) : null;
        if (expiresOn is { } last && last < DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime))
        {
            throw new PersonalTokenException("The expiry date is in the past.");
        }

        try
        {
            var made = await tokens.CreateAsync(userId, name, expiresAt);
            logger.LogInformation("'{UserName}' made the API token '{TokenName}' ({Prefix}…), expiring {ExpiresAt}.",
                userName, made.Token.Name, made.Token.Prefix, expiresAt?.ToString("yyyy-MM-dd HH:mm 'UTC'") ?? "never");
            return made;
        }
        catch (ArgumentException e)
        {
            throw new PersonalTokenException(e.Message.Split(" (Parameter", 2)[0]);
        }
    }

    /// <summary>Revokes a token of <paramref name="userId"/>; false when it was revoked already.</summary>
    /// <exception cref="PersonalTokenException">There is no such token, or it belongs to someone else.</exception>
    public async Task<bool> RevokeAsync(string userId, string userName, Guid tokenId)
    {
        var token = await tokens.FindAsync(tokenId);
        if (token is null || token.UserId != userId)
        {
            // The same answer for both: a page must not learn which ids exist.
            throw new PersonalTokenException("You have no such token.");
        }

        var revoked = await tokens.RevokeAsync(tokenId, userName);
        if (revoked)
        {
            logger.LogInformation("'{UserName}' revoked their API token '{TokenName}' ({Prefix}…).", userName, token.Name, token.Prefix);
        }

        return revoked;
    }
}
