using Luigi.Web.Live;

namespace Luigi.Web.Dashboard;

/// <summary>
/// PLACEHOLDER: a live feed that never delivers anything, registered only when no real <see cref="ILiveFeed"/> is
/// (<c>AddLuigiLive</c> replaces it). With it the dashboard still works, showing what the store holds when a page
/// opens; pages then refresh only on a reload.
/// </summary>
public sealed class PlaceholderLiveFeed : ILiveFeed
{
    /// <inheritdoc />
    public IDisposable Subscribe(Func<LiveBatch, Task> handler) => Nothing.Instance;

    private sealed class Nothing : IDisposable
    {
        public static readonly Nothing Instance = new();

        public void Dispose()
        {
        }
    }
}
