using System.Diagnostics;
using AutoCkpt.Formats;

namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// An exact dynamic program over stage positions (docs/planner.md, "The dynamic program"). A partial plan up to
/// position p is summed up by four numbers: y (bytes held so far), a (y − releases so far + the highest backward
/// event so far), f (the highest forward event so far) and t (recompute ticks); the final peak is F + max(f, a).
/// Partial plans with the same numbers are merged, dominated ones dropped, and ones that cannot fit the cap or
/// beat the best plan known pruned (<see cref="TimeBound"/>). A narrow first pass (a beam) finds that plan.
/// </summary>
internal sealed class DynamicProgramSolver(StepCostModel model, int maxSegment) : IPlanSolver
{
    private const int BeamWidth = 64;
    private readonly SegmentTables _t = new(model.Profile, maxSegment);

    public string Method => "exact";

    public string Backend => "dp";

    public SolveOutcome Solve(long capBytes, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var bound = new TimeBound(_t);
        var start = StartPlan(capBytes, limit / 5);
        long upper = start is null ? long.MaxValue : TimeTicks.OfPlan(_t.Ticks, start);
        var exact = Search(capBytes, upper, bound, 0, limit - clock.Elapsed);
        if (exact.Status != SolveStatus.NoSolution) return exact;
        return start is null ? exact : new(SolveStatus.Feasible, start, Gap(upper, bound.Ticks(0, long.MinValue / 4, capBytes - _t.FixedBytes)));
    }

    /// <summary>
    /// A good plan fast, no optimality claim: the better of the greedy plan and a beam search that keeps the
    /// <see cref="BeamWidth"/> most promising partial plans per position. Null when neither fits the cap.
    /// </summary>
    public IReadOnlyList<Segment>? StartPlan(long capBytes, TimeSpan limit) =>
        Best(GreedyPlanner.Plan(model, _t.MaxSegment, capBytes), Search(capBytes, long.MaxValue, new TimeBound(_t), BeamWidth, limit).Segments);

    public SolveOutcome MinimumPeak(TimeSpan limit)
    {
        // The least peak is the least cap the DP finds feasible: bisect on the cap.
        var clock = Stopwatch.StartNew();
        var bound = new TimeBound(_t);
        long lo = _t.FixedBytes, hi = model.PeakBytes(Baselines.EveryStage(_t.Stages));
        IReadOnlyList<Segment> best = Baselines.EveryStage(_t.Stages);
        while (lo < hi)
        {
            if (clock.Elapsed > limit) return new(SolveStatus.Feasible, best, 0);
            long mid = lo + (hi - lo) / 2;
            var r = Search(mid, long.MaxValue, bound, 0, limit - clock.Elapsed);
            if (r.Status == SolveStatus.NoSolution) return new(SolveStatus.Feasible, best, 0);
            if (r.Segments is { } s) { best = s; hi = model.PeakBytes(s); }
            else lo = mid + 1;
        }
        return new(SolveStatus.Optimal, best, 0);
    }

    private IReadOnlyList<Segment>? Best(IReadOnlyList<Segment>? x, IReadOnlyList<Segment>? y)
    {
        if (x is null || y is null) return x ?? y;
        long tx = TimeTicks.OfPlan(_t.Ticks, x), ty = TimeTicks.OfPlan(_t.Ticks, y);
        return tx < ty || (tx == ty && model.PeakBytes(x) <= model.PeakBytes(y)) ? x : y;
    }

    private static double Gap(long upper, double lower) => upper == 0 ? 0 : Math.Clamp((upper - lower) / upper, 0, 1);

    /// <summary>
    /// Searches all plans (beam 0) or the best <paramref name="beam"/> partial plans per position, keeping only
    /// those that may reach ≤ <paramref name="upper"/> ticks. NoSolution means the time limit ran out.
    /// </summary>
    private SolveOutcome Search(long cap, long upper, TimeBound bound, int beam, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        int n = _t.Stages;
        long budget = cap - _t.FixedBytes;
        if (budget < 0) return new(SolveStatus.Infeasible, null, 0);
        var layers = new Dictionary<DpLabel.Key, DpLabel>[n + 1];
        for (int p = 0; p <= n; p++) layers[p] = [];
        layers[0][new DpLabel.Key(0, long.MinValue / 4, long.MinValue / 4)] = new DpLabel(new DpLabel.Key(0, long.MinValue / 4, long.MinValue / 4), 0, null);
        for (int p = 0; p < n; p++)
        {
            if (clock.Elapsed > limit) return new(SolveStatus.NoSolution, null, double.NaN);
            var labels = DpLabel.Pareto(layers[p].Values, _t.NegativeNetSuffix(p));
            if (beam > 0)
                labels = [.. labels.OrderBy(x => x.T + bound.Ticks(p, x.K.A, budget)).ThenBy(x => x.K.Y).ThenBy(x => x.K.A).ThenBy(x => x.K.F).Take(beam)];
            layers[p] = [];
            foreach (var x in labels)
            {
                if (x.T + bound.Ticks(p, x.K.A, budget) > upper) continue;
                long y = x.K.Y, fwd = y + _t.KeepForward[p];
                if (fwd <= budget)
                    Offer(p + 1, new(y + _t.KeepHold[p], Math.Max(x.K.A + _t.KeepHold[p] - _t.KeepRelease[p], y + _t.KeepHold[p] + _t.KeepBackward[p]), Math.Max(x.K.F, fwd)), x.T, x, p, p, SegmentStrategy.Keep);
                for (int l = 1; l <= _t.RecForward[p].Length; l++)
                {
                    fwd = y + _t.RecForward[p][l - 1];
                    if (fwd > budget) break;
                    long y2 = y + _t.RecHold[p][l - 1];
                    Offer(p + l, new(y2, Math.Max(x.K.A + _t.RecHold[p][l - 1], y2 + _t.RecBackward[p][l - 1]), Math.Max(x.K.F, fwd)), x.T + _t.RecTicks[p][l - 1], x, p, p + l - 1, SegmentStrategy.Recompute);
                }
            }
        }
        DpLabel? best = null;
        foreach (var x in layers[n].Values.OrderBy(x => x.T).ThenBy(x => Math.Max(x.K.F, x.K.A)).ThenBy(x => x.K.Y).ThenBy(x => x.K.A))
            if (Math.Max(x.K.F, x.K.A) <= budget) { best = x; break; }
        if (best is null) return new(SolveStatus.Infeasible, null, 0);
        return new(beam > 0 ? SolveStatus.Feasible : SolveStatus.Optimal, best.Segments(), 0);

        void Offer(int at, DpLabel.Key key, long t, DpLabel parent, int first, int last, SegmentStrategy s)
        {
            if (key.A + _t.NegativeNetSuffix(at) > budget || t > upper) return;
            var layer = layers[at];
            if (layer.TryGetValue(key, out var old) && old.T <= t) return;
            layer[key] = new DpLabel(key, t, new DpLabel.Step(parent, first, last, s));
        }
    }
}
