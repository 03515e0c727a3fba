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
        edge.HasOne<RunRecord>().WithMany().HasForeignKey(e => e.RunId).OnDelete(DeleteBehavior.Cascade);
        // Requirements of a task; not led by run_id, so that it never competes with the key (see RunTaskRecordConfiguration).
        edge.HasIndex(e => new { e.DependentIndex, e.RunId });
    }
}
