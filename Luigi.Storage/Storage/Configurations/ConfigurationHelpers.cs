using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Luigi.Engine.Storage.Configurations;

/// <summary>Mappings shared by the entity configurations.</summary>
internal static class ConfigurationHelpers
{
    private static readonly ValueComparer<Dictionary<string, string>> DictionaryComparer = new(
        (a, b) => a!.Count == b!.Count && !a.Except(b).Any(),
        d => d.Aggregate(0, (hash, pair) => HashCode.Combine(hash, pair.Key, pair.Value)),
        d => new Dictionary<string, string>(d));

    /// <summary>Stores a name-to-value map as a JSON object in a text column.</summary>
    public static PropertyBuilder<Dictionary<string, string>> AsJson(this PropertyBuilder<Dictionary<string, string>> property) =>
        property.HasConversion(
                value => JsonSerializer.Serialize(value, (JsonSerializerOptions?)null),
                json => JsonSerializer.Deserialize<Dictionary<string, string>>(json, (JsonSerializerOptions?)null) ?? new Dictionary<string, string>(),
                DictionaryComparer)
            .IsRequired();

    /// <summary>Stores an enum by name, so the data reads plainly and survives reordering.</summary>
    public static PropertyBuilder<TEnum> AsName<TEnum>(this PropertyBuilder<TEnum> property) =>
        property.HasConversion<string>().HasMaxLength(24);
}
