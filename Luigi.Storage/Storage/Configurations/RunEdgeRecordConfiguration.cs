using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Luigi.Engine.Storage.Configurations;

internal sealed class RunEdgeRecordConfiguration : IEntityTypeConfiguration<RunEdgeRecord>
{
    public void Configure(EntityTypeBuilder<RunEdgeRecord> edge)
    {
        edge.ToTable("run_edges");
        edge.HasKey(e => new { e.RunId, e.RequirementIndex, e.DependentIndex });
        // No foreign key to runs, as for the tasks (RunTaskRecordConfiguration): three edges a task, each checked on its own.
        // Requirements of a task; not led by run_id, so that it never competes with the key (see RunTaskRecordConfiguration).
        edge.HasIndex(e => new { e.DependentIndex, e.RunId });
    }
}
