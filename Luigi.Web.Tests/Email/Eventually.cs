namespace Luigi.Web.Tests.Email;

/// <summary>Waits for a condition on what a query returns, re-reading it until it holds or the guard expires.</summary>
internal static class Eventually
{
    public static async Task<T> Async<T>(Func<Task<T>> read, Func<T, bool> holds, TimeSpan? guard = null)
    {
        var deadline = DateTime.UtcNow + (guard ?? EmailHost.Guard);
        while (true)
        {
            var value = await read();
            if (holds(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The condition did not hold within {guard ?? EmailHost.Guard}; last value: {value}");
            }

            await Task.Delay(50);
        }
    }
}
