using Luigi.Engine.Parameters;
using Luigi.Engine.Tests.TestTasks;

namespace Luigi.Engine.Tests;

public sealed class ParameterSchemaTests
{
    private static readonly ParameterSchema Schema = ParameterSchema.For(typeof(ExportReport));

    [Fact]
    public void Bind_CreatesTheTaskFromTheStringsAUserTypes()
    {
        var task = (ExportReport)Schema.Bind(new Dictionary<string, string>
        {
            ["date"] = "2026-11-26",
            ["region"] = "apac",
            ["limit"] = "25",
            ["columns"] = "id, name ,total",
            ["shards"] = "1,2,3",
            ["pollInterval"] = "15m",
            ["dryRun"] = "yes",
            ["since"] = "2026-11-25T18:00:00Z",
            ["maxRows"] = "",
        });

        Assert.Equal(new DateOnly(2026, 11, 26), task.Date);
        Assert.Equal(Region.Apac, task.Region);
        Assert.Equal(25, task.Limit);
        Assert.Equal(["id", "name", "total"], task.Columns);
        Assert.Equal([1, 2, 3], task.Shards);
        Assert.Equal(TimeSpan.FromMinutes(15), task.PollInterval);
        Assert.True(task.DryRun);
        Assert.Equal(new DateTime(2026, 11, 25, 18, 0, 0, DateTimeKind.Utc), task.ChangedSince);
        Assert.Equal(DateTimeKind.Utc, task.ChangedSince!.Value.Kind);
        Assert.Null(task.MaxRows);
    }

    [Fact]
    public void Bind_KeepsTheDefaults_OfParametersNotGiven()
    {
        var task = (ExportReport)Schema.Bind([new("date", "2026-11-26")]);

        Assert.Equal(Region.Eu, task.Region);
        Assert.Equal(100, task.Limit);
        Assert.Equal(["id", "total"], task.Columns);
        Assert.Equal(TimeSpan.FromSeconds(90), task.PollInterval);
        Assert.Null(task.MaxRows);
    }

    [Fact]
    public void Bind_NamesTheValidParameters_WhenANameIsUnknown()
    {
        var error = Assert.Throws<ParameterException>(() => Schema.Bind([new("date", "2026-11-26"), new("regoin", "eu")])).Errors.Single();

        Assert.Equal("regoin", error.Parameter);
        Assert.Equal(
            "Unknown parameter 'regoin' for ExportReport; valid parameters: columns, date, dryRun, limit, maxRows, pollInterval, region, shards, since.",
            error.Message);
    }

    [Fact]
    public void Bind_SaysATaskTakesNoParameters_WhenItHasNone()
    {
        var error = Assert.Throws<ParameterException>(() => ParameterSchema.For(typeof(NoParameters)).Bind([new("date", "2026-11-26")]));

        Assert.Contains("Unknown parameter 'date' for NoParameters; it takes no parameters.", error.Message);
    }

    [Theory]
    [InlineData("limit", "ten", "a whole number (int)")]
    [InlineData("date", "26/11/2026", "a date like 2026-11-26 (yyyy-MM-dd)")]
    [InlineData("region", "Mars", "one of Eu, Us, Apac")]
    [InlineData("pollInterval", "soon", "a duration like 00:05:00, 90s, 15m, 2h or 1d")]
    [InlineData("dryRun", "maybe", "true or false")]
    [InlineData("since", "yesterday", "a date and time like 2026-11-26T09:30:00 (ISO 8601)")]
    [InlineData("maxRows", "lots", "a whole number (int)")]
    public void Bind_NamesTheParameterAndTheExpectedForm_WhenAValueIsMalformed(string name, string raw, string form)
    {
        var values = new Dictionary<string, string> { ["date"] = "2026-11-26", [name] = raw };

        var error = Assert.Throws<ParameterException>(() => Schema.Bind(values)).Errors.Single();

        Assert.Equal(name, error.Parameter);
        Assert.Equal($"Parameter '{name}' expects {form}; got '{raw}'.", error.Message);
    }

    [Fact]
    public void Bind_RefusesANulCharacter_NamingTheParameter()
    {
        var error = Assert.Throws<ParameterException>(() => Schema.Bind([new("date", "2026-11-26"), new("region", "eu\0west")])).Errors.Single();

        Assert.Equal("region", error.Parameter);
        Assert.Contains("NUL character", error.Message);
    }

    [Fact]
    public void Bind_NamesTheBadItem_WhenAListItemIsMalformed()
    {
        var error = Assert.Throws<ParameterException>(() => Schema.Bind([new("date", "2026-11-26"), new("shards", "1,x,3")])).Errors.Single();

        Assert.Equal("Parameter 'shards' expects a comma-separated list of a whole number (int); got '1,x,3' (item 2, 'x', is not a whole number (int)).", error.Message);
    }

    [Fact]
    public void Bind_NamesAMissingRequiredParameter_WithItsForm()
    {
        var error = Assert.Throws<ParameterException>(() => Schema.Bind([new("limit", "5")])).Errors.Single();

        Assert.Equal("date", error.Parameter);
        Assert.Equal("Parameter 'date' is required (a date like 2026-11-26 (yyyy-MM-dd)).", error.Message);
    }

    [Fact]
    public void Bind_TakesTheRequiredModifier_AsRequired()
    {
        var schema = ParameterSchema.For(typeof(LoadTable));

        var error = Assert.Throws<ParameterException>(() => schema.Bind([])).Errors.Single();

        Assert.Equal("table", error.Parameter);
        Assert.True(schema.Find("table")!.Required);
        Assert.Equal("orders", ((LoadTable)schema.Bind([new("table", "orders")])).Table);
    }

    [Fact]
    public void Bind_ReportsEveryProblemAtOnce()
    {
        var exception = Assert.Throws<ParameterException>(() => Schema.Bind([new("dat", "2026-11-26"), new("limit", "ten")]));

        Assert.Equal(["dat", "limit", "date"], exception.Errors.Select(e => e.Parameter));
        Assert.Equal(string.Join(Environment.NewLine, exception.Errors.Select(e => e.Message)), exception.Message);
    }

    [Fact]
    public void Bind_MatchesNamesIgnoringCase_ButRefusesTheSameOneTwice()
    {
        Assert.Equal(7, ((ExportReport)Schema.Bind([new("DATE", "2026-11-26"), new("Limit", "7")])).Limit);

        var error = Assert.Throws<ParameterException>(() => Schema.Bind([new("date", "2026-11-26"), new("Date", "2026-11-27")])).Errors.Single();

        Assert.Equal("Parameter 'date' is given more than once.", error.Message);
    }

    [Fact]
    public void Parameters_DescribeEachParameterForTheCommandLineAndTheForm()
    {
        Assert.Equal(
            ["columns", "date", "dryRun", "limit", "maxRows", "pollInterval", "region", "shards", "since"],
            Schema.Parameters.Select(p => p.Name));
        Assert.Equal(["columns", "date", "limit", "maxRows", "region", "shards", "since"], Schema.Significant.Select(p => p.Name));

        var date = Schema.Find("date")!;
        Assert.True(date.Required);
        Assert.Null(date.DefaultText);
        Assert.Equal("The day to export.", date.Description);
        Assert.Equal(ParameterKind.Date, date.Kind);

        var region = Schema.Find("region")!;
        Assert.Equal(["Eu", "Us", "Apac"], region.Choices);
        Assert.Equal("Eu", region.DefaultText);
        Assert.Equal(ParameterKind.Enum, region.Kind);

        Assert.Equal("00:01:30", Schema.Find("pollInterval")!.DefaultText);
        Assert.Equal("id,total", Schema.Find("columns")!.DefaultText);
        Assert.Equal(ParameterKind.List, Schema.Find("shards")!.Kind);
        Assert.Equal(ParameterKind.DateTime, Schema.Find("since")!.Kind);
        Assert.Equal(nameof(ExportReport.ChangedSince), Schema.Find("since")!.Property.Name);
    }

    private sealed class NoParameters : LuigiTask
    {
        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class LoadTable : LuigiTask
    {
        [Parameter]
        public required string Table { get; init; }

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
