using AutoCkpt.Formats.Plans;
using AutoCkpt.Planner.CostModel;


namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// A fast feasible plan to start the MIP from. For each longest segment length ℓ it adds recompute segments in
/// order of bytes saved per second recomputed until the cost model says the plan fits, then drops the costliest
/// ones that are not needed. O(n² log L) cost-model steps; no optimality claim.
/// </summary>
internal static class GreedyPlanner
{
    public static IReadOnlyList<Segment>? Plan(StepCostModel model, int maxSegment, long capBytes)
    {
        int n = model.Stages;
        var s = model.Profile.Stages;
        IReadOnlyList<Segment>? best = null;
        double bestTime = double.MaxValue;
        long bestPeak = long.MaxValue;
        for (int len = 1; len <= maxSegment; len = len < 4 ? len + 1 : len + Math.Max(1, len / 4))
        {
            var candidates = new List<(int First, int Last, double Ratio)>();
            for (int a = 0; a + len <= n; a++)
            {
                int b = a + len - 1;
                long saved = 0; double time = 0;
                for (int i = a; i <= b; i++) { saved += s[i].RetainedBytes; time += s[i].ForwardSeconds; }
                saved -= s[b].OutputBytes;
                candidates.Add((a, b, saved / Math.Max(time, 1e-12)));
            }
            var chosen = new SortedDictionary<int, int>();
            var taken = new bool[n];
            IReadOnlyList<Segment> plan = Build(chosen, n);
            foreach (var c in candidates.OrderByDescending(c => c.Ratio).ThenBy(c => c.First))
            {
                if (model.PeakBytes(plan) <= capBytes) break;
                if (Enumerable.Range(c.First, c.Last - c.First + 1).Any(i => taken[i])) continue;
                for (int i = c.First; i <= c.Last; i++) taken[i] = true;
                chosen[c.First] = c.Last;
                plan = Build(chosen, n);
            }
            if (model.PeakBytes(plan) > capBytes) continue;
            foreach (var (first, last) in chosen.OrderBy(kv => candidates.First(c => c.First == kv.Key).Ratio).ToList())
            {
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
