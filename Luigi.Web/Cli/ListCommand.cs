using System.CommandLine;
using Luigi.Engine.Pipelines;

namespace Luigi.Web.Cli;

/// <summary><c>list</c>: every pipeline with its description and parameters (type, limits, default, required).</summary>
internal static class ListCommand
{
    public static Command Create(PipelineRegistry registry, TextWriter output)
    {
        var command = new Command("list", "List the pipelines and their parameters.");
        command.SetAction(_ =>
        {
            foreach (var pipeline in registry.All)
            {
                output.WriteLine($"{pipeline.Name}  {pipeline.Description}");
                foreach (var parameter in pipeline.Parameters)
                {
                    var requirement = parameter.Required ? "required" : $"default: {Show(parameter.DefaultText)}";
                    var limits = parameter.Limits.Describe(registry.BindingOptions.MaxTextLength);
                    output.WriteLine($"    --param {parameter.Name}=...  {parameter.ExpectedForm}{(limits.Length == 0 ? "" : $", {limits}")}; {requirement}");
                    if (!string.IsNullOrEmpty(parameter.Description))
                    {
                        output.WriteLine($"        {parameter.Description}");
                    }
                }

                output.WriteLine();
            }

            return 0;
        });
        return command;
    }

    private static string Show(string? value) => value switch
    {
        null => "(none)",
        "" => "\"\"",
        _ => value,
    };
}
