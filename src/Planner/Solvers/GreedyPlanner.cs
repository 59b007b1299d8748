using System.Diagnostics;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Planner.CostModel;

namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// A fast feasible plan to start the solvers from. For each longest segment length ℓ it adds recompute segments in
/// order of bytes saved per second recomputed until the cost model says the plan fits, then drops the costliest
/// ones that are not needed. Segments never span a unit that may not be recomputed. No optimality claim.
/// </summary>
/// <remarks>
/// On chains of up to <see cref="LpGuide.LargeChain"/> units each segment added is checked at once (O(n²) cost-model
/// steps per length); on longer chains the smallest fitting prefix of the same order is found by bisection, and the
/// dropping pass stops at the deadline, so that 10,000 units take seconds, not minutes.
/// </remarks>
internal static class GreedyPlanner
{
    public static IReadOnlyList<Segment>? Plan(StepCostModel model, int maxSegment, long capBytes, TimeSpan? limit = null)
    {
        var clock = Stopwatch.StartNew();
        var deadline = limit ?? TimeSpan.MaxValue;
        int n = model.Stages;
        var s = model.Profile.Stages;
        bool large = n > LpGuide.LargeChain;
        var retained = new long[n + 1];
        var seconds = new double[n + 1];
        var blocked = new int[n + 1]; // units that may not be recomputed, as prefix counts
        var ends = new int[n + 1]; // units whose output is used later (a segment ends there), as prefix counts
        for (int i = 0; i < n; i++)
        {
            retained[i + 1] = retained[i] + s[i].RetainedBytes;
            seconds[i + 1] = seconds[i] + s[i].ForwardSeconds;
            blocked[i + 1] = blocked[i] + (s[i].RecomputeAllowed ? 0 : 1);
            ends[i + 1] = ends[i] + (s[i].OutputUsedLater ? 1 : 0);
        }
        IReadOnlyList<Segment>? best = null;
        double bestTime = double.MaxValue;
        long bestPeak = long.MaxValue;
        for (int len = 1; len <= maxSegment; len = len < 4 ? len + 1 : len + Math.Max(1, len / 4))
        {
            if (clock.Elapsed > deadline) break;
            var candidates = new List<(int First, int Last, double Ratio)>();
            for (int a = 0; a + len <= n; a++)
            {
                int b = a + len - 1;
                if (blocked[b + 1] != blocked[a] || ends[b] != ends[a]) continue;
                long saved = retained[b + 1] - retained[a] - s[b].OutputBytes;
                double time = seconds[b + 1] - seconds[a];
                candidates.Add((a, b, saved / Math.Max(time, 1e-12)));
            }
            var ratio = candidates.ToDictionary(c => c.First, c => c.Ratio);
            // The order segments are added in: by ratio, skipping those that overlap one taken before.
            var order = new List<(int First, int Last)>();
            var taken = new bool[n];
            foreach (var c in candidates.OrderByDescending(c => c.Ratio).ThenBy(c => c.First))
            {
                bool free = true;
                for (int i = c.First; i <= c.Last && free; i++) free = !taken[i];
                if (!free) continue;
                for (int i = c.First; i <= c.Last; i++) taken[i] = true;
                order.Add((c.First, c.Last));
            }
            int count = large ? FittingPrefix(model, order, n, capBytes) : FirstFitting(model, order, n, capBytes);
            if (count < 0) continue;
            var chosen = new SortedDictionary<int, int>();
            foreach (var (first, last) in order.Take(count)) chosen[first] = last;
            var plan = Build(chosen, n);
            foreach (var (first, last) in chosen.OrderBy(kv => ratio[kv.Key]).ToList())
            {
                if (clock.Elapsed > deadline) break;
                chosen.Remove(first);
                var without = Build(chosen, n);
                if (model.PeakBytes(without) <= capBytes) plan = without;
                else chosen[first] = last;
            }
            var p = model.Predict(plan);
            if (p.StepSeconds < bestTime || (p.StepSeconds == bestTime && p.PeakBytes < bestPeak))
                (best, bestTime, bestPeak) = (plan, p.StepSeconds, p.PeakBytes);
        }
        return best;
    }

    /// <summary>The fewest segments of <paramref name="order"/>, from its start, after which the plan fits; −1 if none.</summary>
    private static int FirstFitting(StepCostModel model, List<(int First, int Last)> order, int n, long cap)
    {
        var chosen = new SortedDictionary<int, int>();
        for (int k = 0; ; k++)
        {
            if (model.PeakBytes(Build(chosen, n)) <= cap) return k;
            if (k == order.Count) return -1;
            chosen[order[k].First] = order[k].Last;
        }
    }

    /// <summary>As <see cref="FirstFitting"/>, by bisection (the peak mostly falls as segments are added).</summary>
    private static int FittingPrefix(StepCostModel model, List<(int First, int Last)> order, int n, long cap)
    {
        bool Fits(int k) => model.PeakBytes(Build(new SortedDictionary<int, int>(order.Take(k).ToDictionary(x => x.First, x => x.Last)), n)) <= cap;
        if (!Fits(order.Count)) return Fits(0) ? 0 : -1;
        int lo = 0, hi = order.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (Fits(mid)) hi = mid; else lo = mid + 1;
        }
        return lo;
    }

    private static IReadOnlyList<Segment> Build(SortedDictionary<int, int> recompute, int n)
    {
        var segments = new List<Segment>();
        int next = 0;
        foreach (var (first, last) in recompute)
        {
            if (first > next) segments.Add(new Segment(next, first - 1, SegmentStrategy.Keep));
            segments.Add(new Segment(first, last, SegmentStrategy.Recompute));
            next = last + 1;
        }
        if (next < n) segments.Add(new Segment(next, n - 1, SegmentStrategy.Keep));
        return segments;
    }
}
