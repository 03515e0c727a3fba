namespace Luigi.Web.Dashboard;

/// <summary>
/// Turns many render requests into at most one render per <see cref="Interval"/>: the first request renders at
/// once, later ones within the interval are gathered into one render at its end. So a page keeps up with a
/// thousand changes a second by showing the latest state a few times a second.
/// </summary>
public sealed class RenderCoalescer : IDisposable
{
    private readonly Func<Task> _render;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private ITimer? _timer;
    private long _lastRender = long.MinValue;
    private bool _disposed;

    /// <summary>Renders through <paramref name="render"/> (a component's <c>InvokeAsync(StateHasChanged)</c>).</summary>
    public RenderCoalescer(Func<Task> render, TimeProvider time, TimeSpan? interval = null)
    {
        _render = render;
        _time = time;
        Interval = interval ?? TimeSpan.FromMilliseconds(200);
    }

    /// <summary>The least time between two renders.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Asks for a render: now, or at the end of the current interval if one was made within it.</summary>
    public Task RequestAsync()
    {
        lock (_lock)
        {
            if (_disposed || _timer is not null)
            {
                return Task.CompletedTask;
            }

            var wait = _lastRender == long.MinValue ? TimeSpan.Zero : Interval - _time.GetElapsedTime(_lastRender);
            if (wait > TimeSpan.Zero)
            {
                _timer = _time.CreateTimer(_ => _ = RenderLaterAsync(), null, wait, Timeout.InfiniteTimeSpan);
                return Task.CompletedTask;
            }

            _lastRender = _time.GetTimestamp();
        }

        return _render();
    }

    private async Task RenderLaterAsync()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
            if (_disposed)
            {
                return;
            }

            _lastRender = _time.GetTimestamp();
        }

        try
        {
            await _render();
        }
        catch (ObjectDisposedException)
        {
            // The component went away between the request and the render.
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }
}
