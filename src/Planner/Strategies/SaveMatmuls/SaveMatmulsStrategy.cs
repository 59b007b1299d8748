using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.Solvers;

namespace AutoCkpt.Planner.Strategies.SaveMatmuls;

/// <summary>
/// Save-matmuls (docs/selective.md): one unit recomputed on its own, keeping the outputs of its <c>Linear</c> layers
/// (K, the profile's <c>save_matmuls.kept_bytes</c>) from its forward, so that the recompute skips those matmuls and
/// costs the profile's <c>save_matmuls.recompute_seconds</c>. A one-unit checkpoint arc that holds O + K; its re-run
/// grows by what the recompute keeps less K (already live), and its backward then frees K for good (its release). Offered where
/// the unit may be recomputed and the profile measured the option.
/// </summary>
public sealed class SaveMatmulsStrategy : PlanStrategy
{
    /// <inheritdoc />
    public override string Name => "save_matmuls";

    /// <inheritdoc />
    public override SegmentStrategy Runs => SegmentStrategy.SaveMatmuls;

    /// <inheritdoc />
    public override double? RecomputeSeconds(StageProfile stage) => stage.SaveMatmuls?.RecomputeSeconds;

    /// <inheritdoc />
    public override long KeptBytes(StageProfile stage) => stage.SaveMatmuls?.KeptBytes ?? 0;

    /// <inheritdoc />
    public override bool Checkpoint => true;

    /// <inheritdoc />
    public override bool Allows(UnitCosts costs, int unit) => costs.RecomputeAllowed[unit] && costs.Stages[unit].SaveMatmuls is not null;

    internal override void AddArcs(UnitCosts costs, int a, int maxLength, byte id, List<Arc> arcs)
    {
        var st = costs.Stages[a];
        var figures = st.SaveMatmuls!;
        long kept = figures.KeptBytes;
        long retained = st.Recompute?.RetainedBytes ?? st.RetainedBytes;
        long freed = st.Recompute?.BackwardFreedBytes ?? st.BackwardFreedBytes;
        long transient = st.Recompute?.BackwardTransientBytes ?? st.BackwardTransientBytes;
        long work = st.RetainedBytes + st.ForwardTransientBytes;
        // Backward, above the base (which holds O + K): the re-run's peak with the output gradient, then the unit's
        // backward over what the re-run kept beyond K, with K live to the backward's end (freed with the recompute's
        // graph, not as the backward consumes it: docs/cost-model.md).
        long backward = Math.Max(st.OutputBytes + work - kept, retained - kept + Math.Max(st.OutputBytes + transient, -freed) + kept);
        arcs.Add(new Arc(1, costs.Ticks.For(Runs)[a] + TimeTicks.Segment(costs.Ticks), work, st.OutputBytes + kept, kept, backward, true, id));
    }
}
