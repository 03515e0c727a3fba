using System.ComponentModel;
using System.IO.Ports;
using Luigi.Engine;

namespace Luigi.PluginProbe;

/// <summary>
/// Uses System.IO.Ports the way only its runtime-specific build can: lists the serial ports (the portable build throws
/// <see cref="PlatformNotSupportedException"/>) and opens one that does not exist, which goes through the package's native
/// library. Writes what it saw, with the paths the managed and native code were loaded from, to <c>{Report}</c>.
/// </summary>
[Description("Touch System.IO.Ports's runtime-specific and native code and report where each was loaded from.")]
public sealed class SerialPortProbe : Pipeline
{
    [Parameter(Description = "The report file.")]
    public required string Report { get; init; }

    /// <inheritdoc />
    public override IEnumerable<LuigiTask> Roots() => [new ProbePorts { Report = Report }];
}

/// <summary>The one task of <see cref="SerialPortProbe"/>.</summary>
public sealed class ProbePorts : LuigiTask
{
    [Parameter]
    public required string Report { get; init; }

    /// <inheritdoc />
    public override IEnumerable<Target> Output() => [new LocalFileTarget(Report)];

    /// <inheritdoc />
    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var ports = SerialPort.GetPortNames();
        string opened;
        try
        {
            using var port = new SerialPort("/dev/luigi-no-such-port");
            port.Open();
            opened = "opened";
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            opened = exception.GetType().Name;
        }

        var native = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
            .FirstOrDefault(p => p.EndsWith("libSystem.IO.Ports.Native.so", StringComparison.Ordinal)) ?? "(not loaded)";
        await ((LocalFileTarget)Output().Single()).WriteAllLinesAsync(
        [
            $"ports: {ports.Length}",
            $"open: {opened}",
            $"managed: {typeof(SerialPort).Assembly.Location}",
            $"native: {native}",
        ], cancellationToken);
    }
}
