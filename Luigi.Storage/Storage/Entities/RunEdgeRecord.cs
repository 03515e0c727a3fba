namespace Luigi.Engine.Storage.Entities;

/// <summary>The task at <see cref="DependentIndex"/> requires the one at <see cref="RequirementIndex"/>.</summary>
public sealed class RunEdgeRecord
{
    public Guid RunId { get; set; }

    public int RequirementIndex { get; set; }

    public int DependentIndex { get; set; }
}
