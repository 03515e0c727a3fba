using System.Collections.Concurrent;

namespace Luigi.Engine;

/// <summary>
/// A target kept in an <see cref="InMemoryTargetStore"/>: for tests and for demos that need no disk.
/// </summary>
public sealed class InMemoryTarget(InMemoryTargetStore store, string key) : Target
{
    /// <summary>The key in the store.</summary>
    public string Key { get; } = key;

    /// <inheritdoc />
    public override ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(store.Contains(Key));

    /// <summary>Makes the target exist with <paramref name="content"/>.</summary>
    public void Write(string content = "") => store.Set(Key, content);

    /// <summary>The content, or null when it does not exist.</summary>
    public string? Read() => store.Get(Key);

    /// <inheritdoc />
    public override string ToString() => $"memory:{Key}";
}

/// <summary>A thread-safe set of in-memory targets. Pass one instance to the tasks that share it.</summary>
public sealed class InMemoryTargetStore
{
    private readonly ConcurrentDictionary<string, string> _items = new(StringComparer.Ordinal);

    /// <summary>A target in this store.</summary>
    public InMemoryTarget Target(string key) => new(this, key);

    /// <summary>True when <paramref name="key"/> exists.</summary>
    public bool Contains(string key) => _items.ContainsKey(key);

    /// <summary>The content at <paramref name="key"/>, or null.</summary>
    public string? Get(string key) => _items.GetValueOrDefault(key);

    /// <summary>Creates or replaces <paramref name="key"/>.</summary>
    public void Set(string key, string content) => _items[key] = content;

    /// <summary>Removes <paramref name="key"/>.</summary>
    public bool Remove(string key) => _items.TryRemove(key, out _);

    /// <summary>All existing keys.</summary>
    public IReadOnlyCollection<string> Keys => _items.Keys.ToArray();
}
