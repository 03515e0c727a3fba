using Microsoft.Playwright;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>, or the path in <c>LUIGI_TEST_CHROMIUM</c>), headless, driven by
/// Playwright for .NET. Playwright's own browsers are never downloaded: <c>./test.sh</c> installs Debian's
/// <c>chromium</c> package. Without it every test using this fixture fails with a message saying so; none skips.
/// </summary>
public sealed class ChromiumBrowser : IAsyncLifetime
{
    public const string VariableName = "LUIGI_TEST_CHROMIUM";

    private readonly List<IBrowserContext> _contexts = [];
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is not started.");

    public async Task InitializeAsync()
    {
        var path = Environment.GetEnvironmentVariable(VariableName) is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"The end-to-end tests need Chromium at {path}: install Debian's chromium package (./test.sh does) " +
                $"or set {VariableName} to a Chromium executable.");
        }

        // A page on a loaded 2-core machine can take seconds to draw a graph; a user waits that long too.
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            ],
        });
    }

    /// <summary>A fresh page in a context of its own (no shared cookies or storage), at a laptop's size.</summary>
    public async Task<IPage> NewPageAsync(string baseUrl, IEnumerable<Cookie>? cookies = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
            ColorScheme = ColorScheme.Light,
        });
        context.SetDefaultTimeout(30_000);
        if (cookies is not null)
        {
            await context.AddCookiesAsync(cookies);
        }

        lock (_contexts)
        {
            _contexts.Add(context);
        }

        return await context.NewPageAsync();
    }

    /// <summary>
    /// Closes every page opened so far. A test calls it before its host stops: a page left open keeps reconnecting to
    /// a host that is gone (or to the next test's host, should it get the same port), loading the browser the next
    /// tests share.
    /// </summary>
    public async Task ClosePagesAsync()
    {
        IBrowserContext[] open;
        lock (_contexts)
        {
            open = [.. _contexts];
            _contexts.Clear();
        }

        foreach (var context in open)
        {
            await context.CloseAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>
/// One Chromium for every end-to-end test class. They run after the other tests, not beside them: a browser, a host
/// and PostgreSQL already share two cores, and pages under a machine loaded by hundreds of parallel tests measure the
/// machine, not the dashboard.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<ChromiumBrowser>
{
    public const string Name = "browser";
}
