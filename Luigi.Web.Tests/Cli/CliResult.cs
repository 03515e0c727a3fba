using Luigi.Web.Cli;

namespace Luigi.Web.Tests.Cli;

/// <summary>What a verb printed and returned, run in-process exactly as the binary runs it.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, LuigiWebSetup.CreatePipelineRegistry(), output, error);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}
