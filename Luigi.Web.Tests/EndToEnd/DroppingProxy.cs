using System.Net;
using System.Net.Sockets;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>
/// A TCP proxy on loopback between the browser and the host that can drop every connection at once and refuse new
/// ones for a while: a network that goes away, for the page's reconnection to be tested for real.
/// </summary>
public sealed class DroppingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;
    private volatile bool _refusing;

    public DroppingProxy(string targetBaseUrl)
    {
        _target = new Uri(targetBaseUrl);
        _listener.Start();
        BaseUrl = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = AcceptAsync();
    }

    /// <summary>Where the browser connects instead of the host.</summary>
    public string BaseUrl { get; }

    /// <summary>Closes every open connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Drop()
    {
        _refusing = true;
        lock (_lock)
        {
            foreach (var client in _open)
            {
                client.Client.Close(0);
            }

            _open.Clear();
        }
    }

    /// <summary>Accepts connections again.</summary>
    public void Restore() => _refusing = false;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (_refusing)
            {
                inbound.Client.Close(0);
                continue;
            }

            _ = PipeAsync(inbound);
        }
    }

    private async Task PipeAsync(TcpClient inbound)
    {
        using var outbound = new TcpClient();
        try
        {
            await outbound.ConnectAsync(_target.Host, _target.Port, _stop.Token);
            lock (_lock)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }

            await using var a = inbound.GetStream();
            await using var b = outbound.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A dropped connection ends here, as on a real network.
        }
        finally
        {
            lock (_lock)
            {
                _open.Remove(inbound);
                _open.Remove(outbound);
            }

            inbound.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Drop();
        await _accepting;
        _stop.Dispose();
    }
}
