using AutoCkpt.Formats.Plans;

namespace AutoCkpt.Planner.Strategies.Nested;

/// <summary>
/// The backward peak of a multi-level recompute segment above the arc's base (<see cref="Arc.Backward"/>), from the
/// profile's figures: its backward starts at the base plus its output's gradient, recomputes every inner segment but
/// the last without autograd keeping each one's output, runs the last with autograd and backpropagates it, then
/// recomputes each earlier inner segment from its checkpoint (flat, or nested again) and backpropagates it
/// (docs/planner.md, "Multi-level recompute"). O(units × levels).
/// </summary>
internal static class NestedBackward
{
    public static long Peak(UnitCosts costs, Segment segment)
    {
        var walk = new Walk(costs) { Live = costs.Stages[segment.Last].OutputBytes };
        walk.Nested(segment);
        return walk.Peak;
    }

    private sealed class Walk(UnitCosts costs)
    {
        public long Live;
        public long Peak = long.MinValue;

        private void Point(long bytes) => Peak = Math.Max(Peak, bytes);

        private long Out(int i) => costs.Stages[i].OutputBytes;

        public void Nested(Segment segment)
        {
            var inner = segment.Inner!;
            for (int j = 0; j < inner.Count - 1; j++)
            {
                long before = Live;
                for (int i = inner[j].First; i <= inner[j].Last; i++)
                {
                    var s = costs.Stages[i];
                    Point(before + (i > inner[j].First ? Out(i - 1) : 0) + s.RetainedBytes + s.ForwardTransientBytes);
                    Point(before + s.OutputBytes);
                }
                Live = before + Out(inner[j].Last);
            }
            var last = inner[^1];
            long pieceStart = Live;
            Flat(last);
            Live = pieceStart - Out(segment.Last);
            Point(Live);
            for (int j = inner.Count - 2; j >= 0; j--)
            {
                var piece = inner[j];
                long entry = Live;
                if (piece.IsNested) Nested(piece);
                else Flat(piece);
                Live = entry - Out(piece.Last) + (j == 0 && piece.First > 0 ? Out(piece.First - 1) : 0);
                Point(Live);
            }
        }

        /// <summary>Units run with autograd from their first's input, then backpropagated (recompute figures).</summary>
        private void Flat(Segment piece)
        {
            for (int i = piece.First; i <= piece.Last; i++)
            {
                var s = costs.Stages[i];
                Point(Live + s.RetainedBytes + s.ForwardTransientBytes);
                Live += (s.Recompute?.RetainedBytes ?? s.RetainedBytes) - (i > piece.First && i > 0 ? costs.RecomputeInputFreed(i) : 0);
                Point(Live);
            }
            for (int i = piece.Last; i >= piece.First; i--)
            {
                var s = costs.Stages[i];
                Point(Live + (s.Recompute?.BackwardTransientBytes ?? s.BackwardTransientBytes));
                Live -= (s.Recompute?.BackwardFreedBytes ?? s.BackwardFreedBytes) + s.OutputBytes;
                Point(Live);
            }
        }
    }
}

/// <summary>
/// The sequential schedule's backward peak (<see cref="NestedSchedules.Sequential"/>) in closed form, for segments from
/// one unit growing one unit at a time: O(1) per unit. At the level that keeps unit e the walk sits at the base plus
/// O_e (the gradient), so the peak of the segment a..b is the largest of the levels' peaks for e = a..b.
/// </summary>
internal sealed class SequentialPeak(UnitCosts costs, int from)
{
    private readonly int first = from;
    private long _prefix = long.MinValue; // max over i in first..e−1 of the no-grad run's points less the level's base
    private long _peak = long.MinValue;
    private int _next = from;

    /// <summary>The peak of the sequential segment first..<paramref name="last"/> (called for last = first+1, first+2, …).</summary>
    public long Extend(int last)
    {
        for (; _next <= last; _next++)
            _peak = Math.Max(_peak, Level(_next));
        return _peak;
    }

    private long Level(int e)
    {
        var s = costs.Stages[e];
        long o = s.OutputBytes, ret = s.Recompute?.RetainedBytes ?? s.RetainedBytes;
        long bt = s.Recompute?.BackwardTransientBytes ?? s.BackwardTransientBytes, freed = s.Recompute?.BackwardFreedBytes ?? s.BackwardFreedBytes;
        long work = s.RetainedBytes + s.ForwardTransientBytes;
        long input = e == first ? 0 : costs.Stages[e - 1].OutputBytes;
        long peak = Math.Max(Math.Max(o + input + work, o + input + ret), Math.Max(o + input + ret + bt, input + ret - freed));
        if (e > first) peak = Math.Max(Math.Max(peak, o + _prefix), input); // the no-grad run of first..e−1; the checkpoint's disposal
        peak = Math.Max(peak, first > 0 ? costs.Stages[first - 1].OutputBytes : 0); // each level's last disposal: the input's gradient
        // The no-grad run's points of unit e, for the levels above it.
        _prefix = Math.Max(_prefix, Math.Max((e > first ? input : 0) + work, o));
        return peak;
    }
}
