using Luigi.Engine.Storage;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Luigi.Web.Security;

/// <summary>
/// The dashboard's side of <see cref="AuditOrigin"/>: a circuit keeps the client's address of the connection it came up
/// on (after a trusted proxy's forwarded headers), and every event of the circuit (a click on Cancel, a trigger, a
/// schedule's pause) runs with it, so the audit entries the event writes carry it as the API's do.
/// </summary>
internal sealed class AuditOriginCircuitHandler(IHttpContextAccessor http) : CircuitHandler
{
    private string? _address;

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        _address = http.HttpContext?.Connection.RemoteIpAddress?.ToString() ?? _address;
        return Task.CompletedTask;
    }

    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) =>
        async context =>
        {
            using (AuditOrigin.Use(_address))
            {
                await next(context);
            }
        };
}
