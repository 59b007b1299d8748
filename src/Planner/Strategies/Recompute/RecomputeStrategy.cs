using AutoCkpt.Formats.Plans;
using AutoCkpt.Planner.Solvers;

namespace AutoCkpt.Planner.Strategies.Recompute;

/// <summary>
/// Recompute: a segment of 1..L units keeps only its input in the forward (run without autograd) and re-runs with
/// autograd before its backward, keeping only what autograd saved (the profile's recompute figures; the plain ones
/// stand in when absent). Costs its units' forward time and the runtime's cost per segment (<c>TimeTicks.Segment</c>). Never spans a unit that may not be recomputed.
/// </summary>
public sealed class RecomputeStrategy : PlanStrategy
{
    /// <inheritdoc />
    public override string Name => "recompute";

    /// <inheritdoc />
    public override SegmentStrategy Runs => SegmentStrategy.Recompute;

    /// <inheritdoc />
    public override bool Spans => true;

    /// <inheritdoc />
    public override bool Checkpoint => true;

    /// <inheritdoc />
    public override bool Allows(UnitCosts costs, int unit) => costs.RecomputeAllowed[unit];

    internal override void AddArcs(UnitCosts costs, int a, int maxLength, byte id, List<Arc> arcs)
    {
        var s = costs.Stages;
        long held = 0, fwd = long.MinValue, refwd = long.MinValue, bwd = long.MinValue, ticks = TimeTicks.Segment(costs.Ticks);
        for (int l = 1; l <= maxLength; l++)
        {
            int b = a + l - 1;
            var st = s[b];
            var rec = st.Recompute;
            long work = st.RetainedBytes + st.ForwardTransientBytes;
            // First run, no autograd: the previous unit's output and this unit's memory.
            fwd = Math.Max(fwd, (b > a ? s[b - 1].OutputBytes : 0) + work);
            // Re-run with autograd: what the units before it in the segment kept, and this unit's memory.
            refwd = Math.Max(refwd, held + work);
            held += (rec?.RetainedBytes ?? st.RetainedBytes) - (b > a ? costs.RecomputeInputFreed(b) : 0);
            long freed = rec?.BackwardFreedBytes ?? st.BackwardFreedBytes;
            long release = freed + costs.InputBytes(b);
            // Backward of unit i in [a..b]: held − Σ_{j=i+1..b} release_j + max(O_i + BT'_i, −D'_i), and for i < b the
            // segment's output gradient O_b, which the autograd engine holds to the end of the segment's backward.
            long unitBackward = Math.Max(st.OutputBytes + (rec?.BackwardTransientBytes ?? st.BackwardTransientBytes), -freed);
            long before = bwd == long.MinValue ? long.MinValue : bwd - release;
            bwd = Math.Max(before, unitBackward);
            long segmentBackward = Math.Max(before == long.MinValue ? long.MinValue : before + st.OutputBytes, unitBackward);
            ticks += costs.Ticks[b];
            // The disposal point (the base + O_{a−1}, or the base alone when the input is freed) is never above the next
            // point of the walk, the previous arc's first backward point, so it is left out.
            arcs.Add(new Arc(l, ticks, fwd, st.OutputBytes, 0, Math.Max(st.OutputBytes + refwd, held + segmentBackward), true, id));
        }
    }
}
