using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Luigi.Web.Dashboard;

/// <summary>
/// A component that mounts a widget of <c>/js/dashboard.js</c> (the job-net graph, the timeline) on its element
/// once rendered interactively, hears <c>OnTaskSelected</c> back from it, and disposes it with the component.
/// The script fetches its own data; this only says what to show. A circuit already gone when the component is
/// disposed is not an error.
/// </summary>
public abstract class JsWidget : ComponentBase, IAsyncDisposable
{
    private IJSObjectReference? _module;
    private DotNetObjectReference<JsWidget>? _self;
    private bool _disposed;

    [Inject] private IJSRuntime Js { get; set; } = default!;

    /// <summary>Called with a task's index when it is clicked in the widget.</summary>
    [Parameter] public EventCallback<int> OnSelect { get; set; }

    /// <summary>The element the widget draws in.</summary>
    protected ElementReference Element { get; set; }

    /// <summary>The mounted widget, once mounted.</summary>
    protected IJSObjectReference? Handle { get; private set; }

    /// <summary>Why the widget could not be shown, if it could not.</summary>
    protected string? Problem { get; private set; }

    /// <summary>Mounts the widget: calls the module's mount function with the element and the options.</summary>
    protected abstract ValueTask<IJSObjectReference> MountAsync(IJSObjectReference module, DotNetObjectReference<JsWidget> self);

    /// <summary>The widget reports a task chosen in it.</summary>
    [JSInvokable]
    public Task OnTaskSelected(int index) => InvokeAsync(() => OnSelect.InvokeAsync(index));

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        try
        {
            _self = DotNetObjectReference.Create<JsWidget>(this);
            _module = await Js.InvokeAsync<IJSObjectReference>("import", "./js/dashboard.js");
            if (_disposed)
            {
                await _module.DisposeAsync(); // left the page while the script loaded
                return;
            }

            var handle = await MountAsync(_module, _self);
            if (_disposed)
            {
                await handle.InvokeVoidAsync("dispose");
                await handle.DisposeAsync();
                return;
            }

            Handle = handle;
            await OnMountedAsync();
        }
        catch (ObjectDisposedException)
        {
            // Disposed between two steps of mounting (the user navigated away): nothing is shown any more.
        }
        catch (JSException exception)
        {
            Problem = $"The drawing could not be loaded ({exception.Message}).";
            StateHasChanged();
        }
        catch (JSDisconnectedException)
        {
            // The page was closed while loading.
        }
    }

    /// <summary>Runs once the widget is mounted (to pass it a first selection).</summary>
    protected virtual Task OnMountedAsync() => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        try
        {
            if (Handle is not null)
            {
                await Handle.InvokeVoidAsync("dispose");
                await Handle.DisposeAsync();
            }

            if (_module is not null)
            {
                await _module.DisposeAsync();
            }
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone, and the widget with it.
        }
        catch (JSException)
        {
            // The widget failed while being taken down; nothing is left to release on this side.
        }

        _self?.Dispose();
        GC.SuppressFinalize(this);
    }
}
