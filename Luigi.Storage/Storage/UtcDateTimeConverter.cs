using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Luigi.Engine.Storage;

/// <summary>Marks times read from a store without time zones as UTC (all stored times are UTC).</summary>
public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => value.Kind == DateTimeKind.Utc ? value : value.ToUniversalTime(),
    value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
