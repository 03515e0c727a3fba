using System.Globalization;
using Luigi.Engine.Parameters;
using Luigi.Engine.Tests.TestTasks;

namespace Luigi.Engine.Tests;

public sealed class ParameterValuesTests
{
    [Theory]
    [InlineData("90s", "00:01:30")]
    [InlineData("15m", "00:15:00")]
    [InlineData("00:05:00", "00:05:00")]
    [InlineData("2h", "02:00:00")]
    [InlineData("1.5h", "01:30:00")]
    [InlineData("1d", "1.00:00:00")]
    [InlineData("250ms", "00:00:00.250")]
    [InlineData("1.02:03:04", "1.02:03:04")]
    public void TryParse_ReadsDurations(string raw, string expected)
    {
        Assert.True(ParameterValues.TryParse(typeof(TimeSpan), raw, out var value, out _));
        Assert.Equal(TimeSpan.Parse(expected, CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("90")]
    [InlineData("15 minutes")]
    [InlineData("-5s")]
    [InlineData("-00:05:00")]
    [InlineData("m")]
    [InlineData("")]
    public void TryParse_RejectsDurationsWithoutAUnitOrBelowZero(string raw)
    {
        Assert.False(ParameterValues.TryParse(typeof(TimeSpan), raw, out _, out _));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("yes", true)]
    [InlineData("1", true)]
    [InlineData("on", true)]
    [InlineData("false", false)]
    [InlineData("NO", false)]
    [InlineData("0", false)]
    [InlineData("off", false)]
    public void TryParse_ReadsBooleans(string raw, bool expected)
    {
        Assert.True(ParameterValues.TryParse(typeof(bool), raw, out var value, out _));
        Assert.Equal(expected, value);
    }

    [Fact]
    public void TryParse_RejectsAnythingElseAsABoolean()
    {
        Assert.False(ParameterValues.TryParse(typeof(bool), "maybe", out _, out _));
    }

    [Fact]
    public void TryParse_ReadsAnEmptyValueAsNull_ForNullableParameters()
    {
        Assert.True(ParameterValues.TryParse(typeof(int?), "", out var empty, out _));
        Assert.True(ParameterValues.TryParse(typeof(int?), "7", out var seven, out _));

        Assert.Null(empty);
        Assert.Equal(7, seven);
        Assert.False(ParameterValues.TryParse(typeof(int?), "seven", out _, out _));
        Assert.False(ParameterValues.TryParse(typeof(int), "", out _, out _));
    }

    [Fact]
    public void TryParse_ReadsDateTimesInIsoForm_KeepingTheirKind()
    {
        Assert.True(ParameterValues.TryParse(typeof(DateTime), "2026-11-26T09:30:00", out var local, out _));
        Assert.True(ParameterValues.TryParse(typeof(DateTime), "2026-11-26T09:30:00Z", out var utc, out _));

        Assert.Equal(new DateTime(2026, 11, 26, 9, 30, 0, DateTimeKind.Unspecified), local);
        Assert.Equal(DateTimeKind.Unspecified, ((DateTime)local!).Kind);
        Assert.Equal(DateTimeKind.Utc, ((DateTime)utc!).Kind);
        Assert.False(ParameterValues.TryParse(typeof(DateTime), "09:30", out _, out _));
    }

    [Theory]
    [InlineData("26/11/2026")]
    [InlineData("2026-13-01")]
    [InlineData("2026-11-26T09:30:00")]
    public void TryParse_ReadsDatesOnlyAsYearMonthDay(string raw)
    {
        Assert.True(ParameterValues.TryParse(typeof(DateOnly), "2026-11-26", out var date, out _));
        Assert.Equal(new DateOnly(2026, 11, 26), date);
        Assert.False(ParameterValues.TryParse(typeof(DateOnly), raw, out _, out _));
    }

    [Fact]
    public void TryParse_ReadsCommaSeparatedLists_OfAnySupportedType()
    {
        Assert.True(ParameterValues.TryParse(typeof(List<int>), "1, 2,3", out var ints, out _));
        Assert.True(ParameterValues.TryParse(typeof(IReadOnlyList<Region>), "eu,APAC", out var regions, out _));
        Assert.True(ParameterValues.TryParse(typeof(string[]), "", out var none, out _));

        Assert.Equal([1, 2, 3], Assert.IsType<List<int>>(ints));
        Assert.Equal([Region.Eu, Region.Apac], Assert.IsAssignableFrom<IReadOnlyList<Region>>(regions));
        Assert.Empty(Assert.IsType<string[]>(none));
    }

    [Fact]
    public void TryParse_NamesTheItem_ThatIsNotInTheList()
    {
        Assert.False(ParameterValues.TryParse(typeof(List<int>), "1,2,x", out _, out var problem));

        Assert.Equal(" (item 3, 'x', is not a whole number (int))", problem);
    }

    [Fact]
    public void TryParse_ReadsEnumNamesIgnoringCase()
    {
        Assert.True(ParameterValues.TryParse(typeof(Region), "aPaC", out var region, out _));
        Assert.Equal(Region.Apac, region);
        Assert.False(ParameterValues.TryParse(typeof(Region), "Mars", out _, out _));
    }

    [Fact]
    public void TryParse_IgnoresTheCurrentCulture()
    {
        var before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");

            Assert.True(ParameterValues.TryParse(typeof(double), "1.5", out var number, out _));
            Assert.True(ParameterValues.TryParse(typeof(decimal), "12.50", out var amount, out _));
            Assert.Equal(1.5, number);
            Assert.Equal(12.50m, amount);
            Assert.Equal("1.5", ParameterValues.Format(1.5));
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    public static TheoryData<Type, object?, string> Values => new()
    {
        { typeof(string), "orders", "orders" },
        { typeof(int), 42, "42" },
        { typeof(long), 9_000_000_000L, "9000000000" },
        { typeof(bool), true, "true" },
        { typeof(double), 0.1, "0.1" },
        { typeof(decimal), 12.50m, "12.50" },
        { typeof(DateOnly), new DateOnly(2026, 11, 26), "2026-11-26" },
        { typeof(DateTime), new DateTime(2026, 11, 26, 9, 30, 0, DateTimeKind.Utc), "2026-11-26T09:30:00Z" },
        { typeof(TimeSpan), TimeSpan.FromSeconds(90), "00:01:30" },
        { typeof(Region), Region.Us, "Us" },
        { typeof(int?), null, "" },
        { typeof(List<int>), new List<int> { 1, 2, 3 }, "1,2,3" },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Format_WritesAValueAsItIsTyped_AndItReadsBackTheSame(Type type, object? value, string text)
    {
        Assert.Equal(text, ParameterValues.Format(value));

        Assert.True(ParameterValues.TryParse(type, text, out var back, out _));
        Assert.Equal(value, back);
    }
}
