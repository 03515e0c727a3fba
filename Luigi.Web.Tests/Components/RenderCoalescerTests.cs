using Luigi.Web.Dashboard;
using Microsoft.Extensions.Time.Testing;

namespace Luigi.Web.Tests.Components;

public sealed class RenderCoalescerTests
{
    [Fact]
    public async Task AThousandRequests_WithinOneInterval_GiveOneRenderNowAndOneAtItsEnd()
    {
        var time = new FakeTimeProvider();
        var renders = 0;
        using var coalescer = new RenderCoalescer(() => { renders++; return Task.CompletedTask; }, time, TimeSpan.FromMilliseconds(200));

        for (var i = 0; i < 1000; i++)
        {
            await coalescer.RequestAsync();
        }

        Assert.Equal(1, renders);
        time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.Equal(1, renders);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, renders);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(2, renders);
    }

    [Fact]
    public async Task ARequestAfterAQuietInterval_RendersAtOnce()
    {
        var time = new FakeTimeProvider();
        var renders = 0;
        using var coalescer = new RenderCoalescer(() => { renders++; return Task.CompletedTask; }, time, TimeSpan.FromMilliseconds(200));

        await coalescer.RequestAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        await coalescer.RequestAsync();

        Assert.Equal(2, renders);
    }

    [Fact]
    public async Task NothingRendersAfterDispose()
    {
        var time = new FakeTimeProvider();
        var renders = 0;
        var coalescer = new RenderCoalescer(() => { renders++; return Task.CompletedTask; }, time, TimeSpan.FromMilliseconds(200));
        await coalescer.RequestAsync();
        await coalescer.RequestAsync();

        coalescer.Dispose();
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, renders);
    }
}
