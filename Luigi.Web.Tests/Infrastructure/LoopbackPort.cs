using System.Net;
using System.Net.Sockets;

namespace Luigi.Web.Tests.Infrastructure;

/// <summary>Ports for the servers and processes a test starts on loopback.</summary>
public static class LoopbackPort
{
    /// <summary>A loopback port nothing listens on now (the operating system's choice).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
