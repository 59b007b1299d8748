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
        walk.Nested(segment, top: true);
        return walk.Peak;
    }

    private sealed class Walk(UnitCosts costs)
    {
        public long Live;
        public long Peak = long.MinValue;

        private void Point(long bytes) => Peak = Math.Max(Peak, bytes);

        private long Out(int i) => costs.Stages[i].OutputBytes;

        /// <summary>
        /// One level: every piece's output gradient lives to the end of the piece's backward; the top segment's to the
        /// end of the whole segment's (the autograd engine holds it), an inner nested piece's to its last inner segment's.
        /// </summary>
        public void Nested(Segment segment, bool top)
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
            Live = pieceStart - (top ? 0 : Out(segment.Last));
            Point(Live);
            for (int j = inner.Count - 2; j >= 0; j--)
            {
                var piece = inner[j];
                long entry = Live;
                if (piece.IsNested) Nested(piece, top: false);
                else Flat(piece);
                Live = entry - Out(piece.Last) + (j == 0 && piece.First > 0 ? Out(piece.First - 1) : 0);
                Point(Live);
            }
            if (top) Live -= Out(segment.Last);
        }

        /// <summary>Units run with autograd from their first's input, then backpropagated (recompute figures), the piece's output gradient held to its end.</summary>
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
                Live -= (s.Recompute?.BackwardFreedBytes ?? s.BackwardFreedBytes) + (i == piece.Last ? 0 : s.OutputBytes);
                Point(Live);
            }
        }
    }
}

/// <summary>
/// The sequential schedule's backward peak (<see cref="NestedSchedules.Sequential"/>) in closed form, for segments from
/// one unit growing one unit at a time: O(1) per unit. At the level that keeps unit e the walk sits at the base plus
/// O_e (the gradient), and below the top level also plus O_b, the top segment's output gradient, which the autograd
/// engine holds to the segment's end (an inner level frees its own after its last unit). So the peak of the segment
/// a..b is the largest of the top level's peak and O_b plus each lower level's peak, e = a..b−1.
/// </summary>
internal sealed class SequentialPeak(UnitCosts costs, int from)
{
    private readonly int first = from;
    private long _prefix = long.MinValue; // max over i in first..e−1 of the no-grad run's points less the level's base
    private long _levels = long.MinValue; // max over the levels computed so far, as inner levels
    private long _below = long.MinValue; // the same, without the last one
    private long _top = long.MinValue; // the last level's peak as the top level
    private int _next = from;

    /// <summary>The peak of the sequential segment first..<paramref name="last"/> (called for last = first+1, first+2, …).</summary>
    public long Extend(int last)
    {
        for (; _next <= last; _next++)
        {
            var (inner, top) = Level(_next);
            _below = _levels;
            _levels = Math.Max(_levels, inner);
            _top = top;
        }
        return _below == long.MinValue ? _top : Math.Max(_top, costs.Stages[last].OutputBytes + _below);
    }

    /// <summary>The peak of the level that keeps unit <paramref name="e"/>, above its base, as an inner level and as the top one.</summary>
    private (long Inner, long Top) Level(int e)
    {
        var s = costs.Stages[e];
        long o = s.OutputBytes, ret = s.Recompute?.RetainedBytes ?? s.RetainedBytes;
        long bt = s.Recompute?.BackwardTransientBytes ?? s.BackwardTransientBytes, freed = s.Recompute?.BackwardFreedBytes ?? s.BackwardFreedBytes;
        long work = s.RetainedBytes + s.ForwardTransientBytes;
        long input = e == first ? 0 : costs.Stages[e - 1].OutputBytes;
        // Unit e's autograd run and backward, its output gradient held to the unit's end.
        long peak = Math.Max(Math.Max(o + input + work, o + input + ret), Math.Max(o + input + ret + bt, o + input + ret - freed));
        if (e > first) peak = Math.Max(peak, o + _prefix); // the no-grad run of first..e−1
        long final = first > 0 ? costs.Stages[first - 1].OutputBytes : 0; // each level's last disposal: the input's gradient
        // After unit e's backward its checkpoint is replaced by its gradient: an inner level has freed its own output
        // gradient there, the top one still holds it, to its end.
        long inner = Math.Max(peak, e > first ? Math.Max(input, final) : final);
        long top = Math.Max(peak, o + Math.Max(input, final));
        // The no-grad run's points of unit e, for the levels above it.
        _prefix = Math.Max(_prefix, Math.Max((e > first ? input : 0) + work, o));
        return (inner, top);
    }
}
