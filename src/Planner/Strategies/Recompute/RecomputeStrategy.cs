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
        // inner: the units before b, each an inner stage (StepCostModel.InnerBackward), their backward's points above
        // live after b's backward, at most.
        long held = 0, fwd = long.MinValue, refwd = long.MinValue, inner = long.MinValue, ticks = TimeTicks.Segment(costs.Ticks);
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
            long transient = rec?.BackwardTransientBytes ?? st.BackwardTransientBytes;
            // Backward of the last unit b: held + max(O_b + BT'_b, −D'_b), above the base less O_b (the arcs' base). Of an
            // inner unit i < b: held − D'_b + O_b (the segment's output gradient, which the autograd engine holds to the
            // segment's end) − Σ_{j=i+1..b−1} release_j + max(peak_i, −release_i), the inner figures of each.
            long unitBackward = Math.Max(st.OutputBytes + transient, -freed);
            long segmentBackward = Math.Max(inner == long.MinValue ? long.MinValue : inner - freed + st.OutputBytes, unitBackward);
            if (b + 1 < s.Count)
            {
                // b turns inner when the segment goes on: its own points, and the shift past its backward for those before it.
                var (peak, release) = costs.Model.InnerBackward(b) ?? (transient, freed + st.OutputBytes);
                inner = Math.Max(inner == long.MinValue ? long.MinValue : inner - release, Math.Max(peak, -release));
            }
            ticks += costs.Ticks[b];
            // The disposal point (the base + O_{a−1}, or the base alone when the input is freed) is never above the next
            // point of the walk, the previous arc's first backward point, so it is left out.
            arcs.Add(new Arc(l, ticks, fwd, st.OutputBytes, 0, Math.Max(st.OutputBytes + refwd, held + segmentBackward), true, id));
        }
    }
}
