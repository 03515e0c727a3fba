namespace Luigi.Web.Email;

/// <summary>A test e-mail cannot be queued; the message says why and what to set.</summary>
public sealed class EmailTestException(string message) : Exception(message);
