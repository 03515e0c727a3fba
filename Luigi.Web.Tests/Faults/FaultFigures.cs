using System.Globalization;
using Xunit.Abstractions;

namespace Luigi.Web.Tests.Faults;

/// <summary>
/// The fault suite's figures (how long recovery took), written to the test's output and, when the variable
/// <c>LUIGI_FAULT_FIGURES</c> names a file, appended to it: <c>scripts/fault-figures.sh</c> prints them for
/// docs/reliability.md. They are measurements, never asserted.
/// </summary>
internal static class FaultFigures
{
    public const string VariableName = "LUIGI_FAULT_FIGURES";

    private static readonly Lock Gate = new();

    public static void Record(ITestOutputHelper output, string figure, TimeSpan value)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{figure}: {value.TotalSeconds:0.0} s");
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable(VariableName) is { Length: > 0 } file)
        {
            lock (Gate)
            {
                File.AppendAllLines(file, [line]);
            }
        }
    }
}
