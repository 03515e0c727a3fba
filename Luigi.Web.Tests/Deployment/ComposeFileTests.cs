using System.Text.RegularExpressions;
using Npgsql;
using YamlDotNet.RepresentationModel;

namespace Luigi.Web.Tests.Deployment;

/// <summary>The production stack that <c>cp .env.example .env &amp;&amp; docker compose up --build</c> starts.</summary>
public sealed partial class ComposeFileTests(ComposeConfig compose) : IClassFixture<ComposeConfig>
{
    private static readonly string[] Hosts = ["web", "worker"];

    [Fact]
    public void Config_IsValid_WithTheExampleSettings()
    {
        Assert.True(compose.ExitCode == 0, $"docker-compose config failed (exit code {compose.ExitCode}):\n{compose.Error}");
        Assert.DoesNotContain("is not set", compose.Error);
    }

    [Fact]
    public void EveryVariableOfTheComposeFile_IsListedInTheExampleSettings()
    {
        var listed = RepositoryFiles.ReadEnvFile(ComposeConfig.EnvFile).Keys;
        var used = File.ReadLines(RepositoryFiles.PathOf(ComposeConfig.ComposeFile))
            .Where(line => !line.TrimStart().StartsWith('#'))
            .SelectMany(line => VariableReference().Matches(line))
            .Select(match => match.Groups["name"].Value)
            .Distinct();

        Assert.Empty(used.Except(listed));
    }

    [Fact]
    public void Stack_HasPostgresMailpitWebAndWorker()
    {
        var services = compose.Services.Children.Keys.Select(key => ((YamlScalarNode)key).Value).Order();

        Assert.Equal(["mailpit", "postgres", "web", "worker"], services);
        Assert.StartsWith("postgres:", Text(compose.Service("postgres"), "image"));
        Assert.StartsWith("axllent/mailpit", Text(compose.Service("mailpit"), "image"));
    }

    [Fact]
    public void WebAndWorker_AreBuiltFromTheRepositoryDockerfile()
    {
        foreach (var host in Hosts)
        {
            var build = (YamlMappingNode)compose.Service(host)["build"];
            Assert.Equal(RepositoryFiles.Root.TrimEnd('/'), Text(build, "context").TrimEnd('/'));
        }
    }

    [Fact]
    public void WebAndWorker_KeepRunsInThePostgresService_WithTheCredentialsOfTheSettings()
    {
        var settings = RepositoryFiles.ReadEnvFile(ComposeConfig.EnvFile);
        foreach (var host in Hosts)
        {
            var environment = Environment(compose.Service(host));
            Assert.Equal("Postgres", environment["Luigi__Store__Provider"]);

            var connection = new NpgsqlConnectionStringBuilder(environment["ConnectionStrings__Luigi"]);
            Assert.Equal("postgres", connection.Host);
            Assert.Equal(settings["POSTGRES_DB"], connection.Database);
            Assert.Equal(settings["POSTGRES_USER"], connection.Username);
            Assert.Equal(settings["POSTGRES_PASSWORD"], connection.Password);
        }

        var postgres = Environment(compose.Service("postgres"));
        Assert.Equal(settings["POSTGRES_PASSWORD"], postgres["POSTGRES_PASSWORD"]);
    }

    [Fact]
    public void WebAndWorker_SendMailToTheMailpitService()
    {
        foreach (var host in Hosts)
        {
            var environment = Environment(compose.Service(host));
            Assert.Equal("mailpit", environment["Luigi__Email__Host"]);
            Assert.Equal("1025", environment["Luigi__Email__Port"]);
            Assert.Equal(("true", "None", ""), (environment["Luigi__Email__Enabled"], environment["Luigi__Email__Security"], environment["Luigi__Email__User"]));
            Assert.Equal("oncall@example.com", environment["Luigi__Email__Recipients__0"]);
            Assert.Equal("http://localhost:8080", environment["Luigi__Email__DashboardUrl"]);
        }
    }

    [Fact]
    public void SmtpPassword_ComesFromTheSettings_AndTheExampleHoldsNone()
    {
        Assert.Equal("", RepositoryFiles.ReadEnvFile(ComposeConfig.EnvFile)["SMTP_PASSWORD"]);
        Assert.Contains("${SMTP_PASSWORD}", File.ReadAllText(RepositoryFiles.PathOf(ComposeConfig.ComposeFile)));
    }

    [Fact]
    public void Worker_IsAnExecutorOnlyReplica_WhileWebServesTheApi()
    {
        Assert.Equal("All", Environment(compose.Service("web"))["Luigi__Host__Role"]);
        var worker = Environment(compose.Service("worker"));
        Assert.Equal("Executor", worker["Luigi__Host__Role"]);
        Assert.Equal(Environment(compose.Service("web"))["ConnectionStrings__Luigi"], worker["ConnectionStrings__Luigi"]);
    }

    [Fact]
    public void WebAndWorker_StartOnceThePostgresServiceIsHealthy_AndAreCheckedForReadiness()
    {
        foreach (var host in Hosts)
        {
            var service = compose.Service(host);
            var dependsOn = (YamlMappingNode)service["depends_on"];
            Assert.Equal("service_healthy", Text((YamlMappingNode)dependsOn["postgres"], "condition"));
            Assert.Contains("http://localhost:8080/healthz/ready", HealthCheckCommand(service)); // readiness: store and executor
        }
    }

    [Fact]
    public void Postgres_KeepsItsDataInANamedVolume_AndIsCheckedWithPgIsReady()
    {
        var postgres = compose.Service("postgres");
        var volumes = ((YamlSequenceNode)postgres["volumes"]).Select(Volume).ToList();
        var data = Assert.Single(volumes, volume => volume.Target == "/var/lib/postgresql/data");
        Assert.Contains(data.Source, ((YamlMappingNode)compose.Root["volumes"]).Children.Keys.Select(key => ((YamlScalarNode)key).Value));

        Assert.Contains("pg_isready", HealthCheckCommand(postgres));
    }

    [Fact]
    public void Web_PublishesTheApi_WorkerPublishesNothing()
    {
        var web = compose.Service("web");
        Assert.Contains("8080", ((YamlSequenceNode)web["ports"]).Select(TargetPort));

        Assert.False(compose.Service("worker").Children.ContainsKey("ports"), "The worker must publish no port (it can be scaled).");
    }

    [Fact]
    public void Mailpit_PublishesItsWebUi()
    {
        var mailpit = compose.Service("mailpit");

        Assert.Contains("8025", ((YamlSequenceNode)mailpit["ports"]).Select(TargetPort));
    }

    private static string Text(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value ?? "";

    /// <summary>A service's environment, written as a mapping or as a list of NAME=value.</summary>
    private static Dictionary<string, string> Environment(YamlMappingNode service) => service["environment"] switch
    {
        YamlMappingNode map => map.Children.ToDictionary(
            pair => ((YamlScalarNode)pair.Key).Value!, pair => ((YamlScalarNode)pair.Value).Value ?? ""),
        YamlSequenceNode list => list.Select(item => ((YamlScalarNode)item).Value!.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : ""),
        var other => throw new InvalidOperationException($"Unexpected environment: {other}"),
    };

    private static string HealthCheckCommand(YamlMappingNode service) =>
        ((YamlMappingNode)service["healthcheck"])["test"] switch
        {
            YamlSequenceNode parts => string.Join(' ', parts.Select(part => ((YamlScalarNode)part).Value)),
            var command => ((YamlScalarNode)command).Value ?? "",
        };

    /// <summary>A volume in the short form (<c>source:target[:mode]</c>) or the long one.</summary>
    private static (string Source, string Target) Volume(YamlNode node) => node switch
    {
        YamlMappingNode map => (Text(map, "source"), Text(map, "target")),
        _ => (((YamlScalarNode)node).Value!.Split(':')[0], ((YamlScalarNode)node).Value!.Split(':')[1]),
    };

    /// <summary>The container port of a published port: <c>[ip:]published:target[/protocol]</c>, or the long form.</summary>
    private static string TargetPort(YamlNode node) => node switch
    {
        YamlMappingNode map => Text(map, "target"),
        _ => ((YamlScalarNode)node).Value!.Split('/')[0].Split(':')[^1],
    };

    /// <summary>A <c>${NAME}</c> or <c>${NAME:?message}</c> reference, not an escaped <c>$${NAME}</c>.</summary>
    [GeneratedRegex(@"(?<!\$)\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex VariableReference();
}
