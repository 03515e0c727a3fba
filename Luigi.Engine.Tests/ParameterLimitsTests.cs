using Luigi.Engine.Parameters;
using Luigi.Engine.Tests.TestTasks;

namespace Luigi.Engine.Tests;

public sealed class ParameterLimitsTests
{
    private static readonly ParameterSchema Schema = ParameterSchema.For(typeof(LimitedTask));

    [Theory]
    [InlineData("delayMs", "-1", "must be from 0 to 60000; got -1", "from 0 to 60000")]
    [InlineData("delayMs", "60001", "must be from 0 to 60000; got 60001", "from 0 to 60000")]
    [InlineData("retryDelay", "2h", "must be from 00:00:00 to 01:00:00; got 02:00:00", "from 00:00:00 to 01:00:00")]
    [InlineData("end", "0001-01-01", "must be from 2000-01-01 to 2099-12-31; got 0001-01-01", "from 2000-01-01 to 2099-12-31")]
    [InlineData("ratio", "1", "must be from 0 to 1 (excluded); got 1", "from 0 to 1 (excluded)")]
    [InlineData("code", "a", "is at least 2 characters long; got 1", "2 to 8 characters")]
    [InlineData("code", "abcdefghi", "is at most 8 characters long; got 9", "2 to 8 characters")]
    [InlineData("code", "AB", "must match [a-z]+; got 'AB'", "matching [a-z]+")]
    [InlineData("region", "apac", "must be one of eu, us; got 'apac'", "one of eu, us")]
    [InlineData("shards", "1,2,3,4", "takes 0 to 3 items; got 4", "0 to 3 items")]
    [InlineData("shards", "1,10", "(item 2) must be from 1 to 9; got 10", "from 1 to 9")]
    public void Bind_RefusesAValueOutsideItsDeclaredLimit_NamingTheParameterAndTheLimit(string name, string raw, string problem, string limit)
    {
        var error = Assert.Throws<ParameterException>(() => Schema.Bind([new(name, raw)])).Errors.Single();

        Assert.Equal(name, error.Parameter);
        Assert.Equal($"Parameter '{name}' {problem}.", error.Message);
        Assert.Contains(limit, error.Limit);
    }

    [Fact]
    public void Bind_AcceptsValuesOnTheBounds()
    {
        var task = (LimitedTask)Schema.Bind([
            new("delayMs", "60000"), new("retryDelay", "0s"), new("end", "2099-12-31"), new("ratio", "0"), new("code", "abcdefgh"),
            new("region", "us"), new("shards", "1,5,9"), new("folder", "a/b"),
        ]);

        Assert.Equal(60_000, task.DelayMs);
        Assert.Equal(TimeSpan.Zero, task.RetryDelay);
        Assert.Equal(new DateOnly(2099, 12, 31), task.End);
        Assert.Equal([1, 5, 9], task.Shards);
        Assert.Equal("a/b", task.Folder.Value);
    }

    [Fact]
    public void Bind_RefusesAnyValueLongerThanTheDefaultMaximum_AndTheMaximumIsConfigurable()
    {
        var huge = new string('x', ParameterBindingOptions.DefaultMaxTextLength + 1);

        var error = Assert.Throws<ParameterException>(() => Schema.Bind([new("note", huge)])).Errors.Single();
        Assert.Equal($"Parameter 'note' is at most 4096 characters long; got {huge.Length}.", error.Message);
        Assert.Contains("at most 4096 characters", error.Limit);

        var list = Assert.Throws<ParameterException>(() => Schema.Bind([new("shards", string.Join(',', Enumerable.Repeat("1", 3_000)))])).Errors.Single();
        Assert.Contains("at most 4096 characters long", list.Message);

        var strict = new ParameterBindingOptions { MaxTextLength = 10 };
        Assert.Throws<ParameterException>(() => Schema.Bind([new("note", "eleven char")], strict));
        Assert.Equal("ten chars!", ((LimitedTask)Schema.Bind([new("note", "ten chars!")], strict)).Note);
    }

    [Fact]
    public void Bind_DoesNotEchoAHugeValue_InItsMessage()
    {
        var huge = new string('9', 20_000);

        var message = Assert.Throws<ParameterException>(() => Schema.Bind([new(huge, "1"), new("delayMs", "x" + huge)], new() { MaxTextLength = 100_000 })).Message;

        Assert.True(message.Length < 1_000, message);
        Assert.Contains("(20000 characters)", message);
    }

    [Theory]
    [InlineData("99999999d")]
    [InlineData("1e308s")]
    [InlineData("99999999999999999999:00:00")]
    public void Bind_RefusesADurationTooLongForATimeSpan_WithoutThrowingAnythingElse(string raw)
    {
        var error = Assert.Throws<ParameterException>(() => Schema.Bind([new("retryDelay", raw)])).Errors.Single();

        Assert.Equal("retryDelay", error.Parameter);
    }

    [Fact]
    public void Bind_RefusesHalfASurrogatePair()
    {
        var error = Assert.Throws<ParameterException>(() => Schema.Bind([new("note", "a\ud800b")])).Errors.Single();

        Assert.Equal("Parameter 'note' is not valid Unicode (it holds half of a surrogate pair).", error.Message);
        Assert.Equal("😀", ((LimitedTask)Schema.Bind([new("note", "😀")])).Note);
    }

    [Fact]
    public void Describe_SaysEveryLimit_ForListAndHelp()
    {
        Assert.Equal("from 0 to 60000", Schema.Find("delayMs")!.Limits.Describe(4_096));
        Assert.Equal("at most 4096 characters", Schema.Find("note")!.Limits.Describe(4_096));
        Assert.Equal("matching [a-z]+; 2 to 8 characters", Schema.Find("code")!.Limits.Describe(4_096));
        Assert.Equal("from 1 to 9; 0 to 3 items; at most 4096 characters", Schema.Find("shards")!.Limits.Describe(4_096));
        Assert.Equal("0", Schema.Find("delayMs")!.Limits.MinimumText);
    }

    [Fact]
    public void For_RefusesALimitTheTypeCannotTake_NamingTheParameter()
    {
        var error = Assert.Throws<NotSupportedException>(() => ParameterSchema.For(typeof(BadLimit)));

        Assert.Contains("BadLimit.Count", error.Message);
    }

    public sealed class BadLimit : LuigiTask
    {
        [Parameter, System.ComponentModel.DataAnnotations.Range(typeof(DateOnly), "2000-01-01", "2001-01-01")]
        public int Count { get; init; }

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
