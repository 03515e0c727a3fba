namespace Luigi.Web.Pipelines;

/// <summary>
/// An assembly listed in <c>Luigi:Pipelines:Assemblies</c> cannot be used: missing, not loadable, or with a
/// pipeline whose name is already taken. The host does not start; the message names the path and the setting.
/// </summary>
public sealed class PipelineAssemblyException(string message, Exception? innerException = null) : Exception(message, innerException);
