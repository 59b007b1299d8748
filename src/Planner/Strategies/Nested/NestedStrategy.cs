using AutoCkpt.Formats.Plans;
using AutoCkpt.Planner.Strategies.Recompute;

namespace AutoCkpt.Planner.Strategies.Nested;

/// <summary>
/// Multi-level recompute (issue 16): a recompute segment whose recompute checkpoints inside (<see cref="Segment.Inner"/>,
/// <see cref="NestedSchedules"/>). Its forward is a flat recompute segment's (keeps only its input), so its arcs take
/// forward, hold and release from <see cref="RecomputeStrategy"/>'s; its backward peak is lower and its ticks higher
/// (units of inner recompute segments run once more per level). An arc no better in backward peak than the flat arc of
/// the same units, or than another variant with no more ticks, is left out: it could never be chosen.
/// </summary>
public sealed class NestedStrategy : PlanStrategy
{
    private static readonly RecomputeStrategy Flat = new();

    /// <inheritdoc />
    public override string Name => "nested";

    /// <inheritdoc />
    public override SegmentStrategy Runs => SegmentStrategy.Recompute;

    /// <inheritdoc />
    public override bool Spans => true;

    /// <inheritdoc />
    public override bool Checkpoint => true;

    /// <inheritdoc />
    public override bool Allows(UnitCosts costs, int unit) => costs.Model.MultiLevel && costs.RecomputeAllowed[unit];

    /// <inheritdoc />
    public override Segment SegmentOf(int first, Arc arc) => NestedSchedules.Of(first, first + arc.Length - 1, arc.Variant);

    internal override void AddArcs(UnitCosts costs, int a, int maxLength, byte id, List<Arc> arcs)
    {
        if (maxLength < 2) return;
        var flat = new List<Arc>(maxLength);
        Flat.AddArcs(costs, a, maxLength, id, flat);
        var sequential = new SequentialPeak(costs, a);
        long sum = costs.Ticks[a], sequentialExtra = 0;
        var offered = new List<Arc>(3);
        for (int l = 2; l <= maxLength; l++)
        {
            int b = a + l - 1;
            // Sequential: every unit before the last is recomputed once more per level it sits in.
            sequentialExtra += sum;
            sum += costs.Ticks[b];
            long seqBackward = sequential.Extend(b);
            var f = flat[l - 1];
            offered.Clear();
            foreach (int variant in NestedSchedules.Variants(l))
            {
                long extra, backward;
                if (variant == NestedSchedules.Sequential) (extra, backward) = (sequentialExtra, seqBackward);
                else
                {
                    var segment = NestedSchedules.Of(a, b, variant);
                    extra = 0;
                    foreach (var inner in segment.Inner!)
                        if (inner.Strategy == SegmentStrategy.Recompute)
                            for (int i = inner.First; i <= inner.Last; i++) extra += costs.Ticks[i];
                    backward = NestedBackward.Peak(costs, segment);
                }
                if (backward >= f.Backward) continue;
                offered.Add(f with { Ticks = f.Ticks + extra, Backward = backward, Variant = variant });
            }
            // Cheapest first; a variant survives only if its backward peak is below every cheaper one's.
            offered.Sort((x, y) => x.Ticks != y.Ticks ? x.Ticks.CompareTo(y.Ticks) : x.Backward.CompareTo(y.Backward));
            long best = long.MaxValue;
            foreach (var arc in offered)
                if (arc.Backward < best) { arcs.Add(arc); best = arc.Backward; }
        }
    }
}
