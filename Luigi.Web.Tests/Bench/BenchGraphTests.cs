using System.Text.Json;
using Luigi.Web.Bench;
using Luigi.Web.Tests.Cli;

namespace Luigi.Web.Tests.Bench;

public sealed class BenchGraphTests
{
    [Fact]
    public void Create_Layered_RequiresThreeDistinctTasksOfThePreviousLayer()
    {
        var graph = BenchGraph.Create(BenchShape.Layered, count: 1_000, width: 100);

        for (var i = 0; i < graph.Count; i++)
        {
            var requirements = graph.Requirements[i];
            if (i < 100)
            {
                Assert.Empty(requirements);
                continue;
            }

            Assert.Equal(3, requirements.Distinct().Count());
            Assert.All(requirements, r => Assert.Equal(i / 100 - 1, r / 100));
        }

        Assert.Equal(graph.Requirements, BenchGraph.Create(BenchShape.Layered, 1_000, 100).Requirements);
    }

    [Theory]
    [InlineData(BenchShape.Chain)]
    [InlineData(BenchShape.FanIn)]
    public void Create_HasOneSink_ForChainAndFanIn(BenchShape shape)
    {
        var graph = BenchGraph.Create(shape, 1_000, 100);

        Assert.Equal([999], graph.Sinks);
        Assert.Equal(999, graph.EdgeCount);
    }

    [Fact]
    public void Create_Layered_SinksAreTheLastLayerAndWhateverNothingRequires()
    {
        var graph = BenchGraph.Create(BenchShape.Layered, 1_000, 100);
        var required = graph.Requirements.SelectMany(r => r).ToHashSet();

        Assert.Subset(graph.Sinks.ToHashSet(), Enumerable.Range(900, 100).ToHashSet());
        Assert.All(graph.Sinks, s => Assert.DoesNotContain(s, required));
    }

    [Fact]
    public async Task Bench_PrintsOneJsonObjectWithTheFiguresAsItsLastLine()
    {
        var result = await CliResult.RunAsync("bench", "--shape", "layered", "--tasks", "500", "--workers", "4", "--no-warmup");

        Assert.Equal(0, result.ExitCode);
        var last = result.Output.TrimEnd().Split('\n')[^1];
        using var json = JsonDocument.Parse(last);
        var root = json.RootElement;
        Assert.Equal("layered", root.GetProperty("shape").GetString());
        Assert.Equal(500, root.GetProperty("tasks").GetInt32());
        Assert.Equal(4, root.GetProperty("workers").GetInt32());
        Assert.Equal("memory", root.GetProperty("store").GetString());
        Assert.True(root.GetProperty("seconds").GetDouble() > 0);
        Assert.True(root.GetProperty("tasks_per_s").GetDouble() > 0);
        Assert.True(root.GetProperty("peak_mb").GetDouble() > 0);
    }
}
