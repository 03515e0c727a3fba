using System.Diagnostics;
using System.Net.Http.Headers;

namespace Luigi.Dashboard.Bench;

/// <summary>What a read of the API costs with an API token (looked up in the store on every request) and without one.</summary>
internal sealed record ApiFigures(string Kind, string Path, string Credentials, int Requests, int Concurrency, double RequestsPerSecond, double P50Ms, double P95Ms);

/// <summary>Sends <c>requests</c> GETs to the host over loopback HTTP from <c>concurrency</c> clients at once and times each.</summary>
internal static class ApiAuthBench
{
    public static async Task<ApiFigures> MeasureAsync(BenchHost host, string path, string? token, int requests, int concurrency, CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        for (var i = 0; i < 50; i++)
        {
            (await client.GetAsync(path, ct)).EnsureSuccessStatusCode(); // warm-up: JIT, connection pools
        }

        var latencies = new double[requests];
        var next = -1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(path, ct);
                response.EnsureSuccessStatusCode();
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }));
        total.Stop();
        Array.Sort(latencies);
        return new ApiFigures("api", path, token is null ? "anonymous viewer" : "API token", requests, concurrency,
            Math.Round(requests / total.Elapsed.TotalSeconds), Math.Round(latencies[requests / 2], 2), Math.Round(latencies[(int)(requests * 0.95)], 2));
    }
}
