using System.Diagnostics;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Planner.CostModel;

namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// An exact dynamic program over stage positions (docs/planner.md, "The dynamic program"). A partial plan up to
/// position p is summed up by four numbers: y (bytes held so far), a (y − releases so far + the highest backward
/// event so far), f (the highest forward event so far) and t (recompute ticks); the final peak is F + max(f, a).
/// Partial plans with the same numbers are merged, dominated ones dropped, and ones that cannot fit the cap or
/// beat the best plan known pruned (<see cref="TimeBound"/>). A narrow first pass (a beam) finds that plan.
/// </summary>
/// <remarks>The chain graph is built when the solver is made, until <paramref name="deadline"/> (<see cref="Deadline.PassedException"/>).</remarks>
internal sealed class DynamicProgramSolver(StepCostModel model, int maxSegment, Deadline deadline = default) : IPlanSolver
{
    private const int BeamWidth = 64;
    private readonly ChainGraph _t = new(model, maxSegment, deadline);

    /// <summary>The ceilings tried below the start plan: root + (start − root) / 2^shift.</summary>
    private static readonly int[] Deepening = [6, 3, 1];


    public string Method => "exact";

    public string Backend => "dp";

    public SolveOutcome Solve(long capBytes, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        bool large = _t.Stages > LpGuide.LargeChain;
        // On long chains the bound that proves or measures the plan is GLOP's LP relaxation: say so. Their steps take
        // longer to stop, and the plan call has baselines to score after: they end by 90% of the limit.
        if (large) limit *= 0.9;
        long budget = capBytes - _t.FixedBytes;
        TimeBound bound;
        try
        {
            bound = new TimeBound(_t, budget, limit, Deadline.After(limit));
        }
        catch (Deadline.PassedException)
        {
            return new(SolveStatus.NoSolution, null, 1); // out of time before any search: the caller's plans stand
        }
        var (start, lower, boundBy) = StartPlan(capBytes, large ? limit * 0.9 - clock.Elapsed : limit / 2, bound);
        string? source = boundBy is null ? null : "dp+" + boundBy;
        if (double.IsPositiveInfinity(lower)) return new(SolveStatus.Infeasible, null, 0, source);
        long upper = start is null ? long.MaxValue : TimeTicks.OfPlan(_t.Ticks, start);
        if (start is not null && upper <= Math.Ceiling(lower)) return new(SolveStatus.Optimal, start, 0, source);
        // Exact searches under rising ceilings between the root bound and the start plan: each finds the optimum if it
        // lies under its ceiling, and the lower the ceiling, the more the bound prunes (docs/planner.md).
        double rootBound = bound.Ticks(0, long.MinValue / 4, 0, budget);
        if (rootBound > lower) (lower, source) = (rootBound, null);
        long root = (long)Math.Ceiling(lower);
        if (start is not null && root < upper)
            foreach (int shift in Deepening)
            {
                long ceiling = root + ((upper - root) >> shift);
                if (ceiling >= upper) break;
                var below = Search(capBytes, ceiling, bound, 0, limit - clock.Elapsed);
                if (below.Status == SolveStatus.Optimal) return below;
                if (below.Status == SolveStatus.NoSolution) break; // out of time: the last search reports it
            }
        var exact = Search(capBytes, upper, bound, 0, limit - clock.Elapsed);
        if (exact.Status != SolveStatus.NoSolution) return exact;
        return start is null ? exact : new(SolveStatus.Feasible, start, Gap(upper, lower), source);
    }

    /// <summary>
    /// A good plan fast, and a lower bound on its recompute ticks. The plan is the best of the greedy plan, the
    /// baselines that fit, and on short chains a beam search that keeps the <see cref="BeamWidth"/> most promising
    /// partial plans per position; on long chains (anytime) the dynamic program on memory grids (<see cref="Gridded"/>)
    /// and, when it fits in the time left, restricted to the arcs the LP relaxation uses. The bound is the higher of that
    /// LP's value and the Lagrangian bound (<see cref="LagrangianBound"/>), named by <c>BoundBy</c> ("GLOP", "Lagrange"); 0
    /// and null on short chains; +∞ when the LP proves that nothing fits.
    /// </summary>
    public (IReadOnlyList<Segment>? Plan, double LowerTicks, string? BoundBy) StartPlan(long capBytes, TimeSpan limit, TimeBound? bound = null)
    {
        var clock = Stopwatch.StartNew();
        bound ??= new TimeBound(_t, capBytes - _t.FixedBytes, limit);
        bool large = _t.Stages > LpGuide.LargeChain;
        IReadOnlyList<Segment>? plan = GreedyPlanner.Plan(model, _t.MaxSegment, capBytes, limit / 4);
        foreach (var (_, segments) in Baselines.Standard(_t.Stages))
            plan = Best(plan, Fitting(model.Runnable(segments), capBytes));
        if (Baselines.BestUniform(model, capBytes) is { Name: var uniform })
            plan = Best(plan, Fitting(model.Runnable(Baselines.ByName(uniform, _t.Stages)!), capBytes));
        if (!large)
            return (Best(plan, Search(capBytes, long.MaxValue, bound, BeamWidth, limit / 4).Segments), 0, null);
        // Anytime: the dynamic program on a coarse memory grid first; then the Lagrangian bound (its paths that fit are
        // plans, and finer grids search the arcs near its paths); then GLOP's LP (the bound, and the arcs it uses, to which
        // an exact search is restricted) when it fits in what is left; then finer grids until the time runs out.
        plan = Gridded(plan, capBytes, bound, (limit - clock.Elapsed) / 4, Grains[..1]);
        // The Lagrangian bound: O(arcs) a step, so it bounds every length, where GLOP (below) does not fit the time.
        var lagrange = new LagrangianBound(_t, capBytes - _t.FixedBytes);
        if (plan is not null)
        {
            long upper = TimeTicks.OfPlan(_t.Ticks, plan);
            lagrange.Run(upper, (limit - clock.Elapsed) / 6);
            if (lagrange.BestPath is { } path)
            {
                plan = Best(plan, Fitting(_t.Segments(path), capBytes)) ?? plan;
                if (plan is not null) upper = TimeTicks.OfPlan(_t.Ticks, plan);
            }
            // An exact search restricted to the arcs near the Lagrangian's paths, as near the LP's below.
            if (lagrange.Used is { } used && upper > Math.Ceiling(lagrange.LowerTicks) && clock.Elapsed < limit)
                plan = Gridded(plan, capBytes, bound, (limit - clock.Elapsed) / 3, Grains[1..], LpGuide.Around(_t, (p, j) => used[p][j]));
        }
        // Windows: exact searches that change the plan within one stretch of units at a time (half of what is left).
        if (clock.Elapsed < limit) plan = Windows(plan, capBytes, bound, (limit - clock.Elapsed) / 2);
        LpGuide.Result? lp = null;
        if (LpGuide.Fits(_t, (limit - clock.Elapsed) / 2))
        {
            lp = LpGuide.Solve(_t, capBytes, limit - clock.Elapsed);
            if (lp.Infeasible) return (null, double.PositiveInfinity, "GLOP");
            long upper = plan is null ? long.MaxValue : TimeTicks.OfPlan(_t.Ticks, plan);
            if (lp.Allowed is { } allowed && upper > Math.Ceiling(lp.LowerBoundTicks) && clock.Elapsed < limit)
                plan = Best(plan, Search(capBytes, upper, bound, 0, (limit - clock.Elapsed) / 2, allowed).Segments);
        }
        if (clock.Elapsed < limit) plan = Gridded(plan, capBytes, bound, limit - clock.Elapsed, Grains[1..]);
        double lpTicks = lp is { Allowed: not null } ? lp.LowerBoundTicks : 0;
        return lpTicks >= lagrange.LowerTicks && lpTicks > 0 ? (plan, lpTicks, "GLOP")
            : lagrange.LowerTicks > 0 ? (plan, lagrange.LowerTicks, "Lagrange")
            : (plan, 0, null);
    }

    /// <summary>Grains tried by <see cref="Gridded"/>: the budget / 2^k.</summary>
    private static readonly int[] Grains = [8, 10, 12, 14, 16, 20];

    /// <summary>
    /// The dynamic program with partial plans merged on a grid: y, a and f rounded up to whole grains of the budget / 2^k
    /// for the merge key (the labels keep their exact bytes, so every plan found fits), coarse grids first. Each grid
    /// keeps at most one partial plan per cell, so its search is fast, and a finer grid only has to beat the plan of the
    /// coarser one. Returns the best plan within <paramref name="limit"/>; no optimality claim. With <paramref name="allowed"/>,
    /// only those arcs.
    /// </summary>
    internal IReadOnlyList<Segment>? Gridded(IReadOnlyList<Segment>? plan, long capBytes, TimeBound bound, TimeSpan limit, int[]? grains = null, bool[][]? allowed = null)
    {
        var clock = Stopwatch.StartNew();
        long budget = capBytes - _t.FixedBytes;
        foreach (int k in grains ?? Grains)
        {
            long grain = Math.Max(1, budget >> k);
            long upper = plan is null ? long.MaxValue : TimeTicks.OfPlan(_t.Ticks, plan) - 1;
            var found = Search(capBytes, upper, bound, 0, limit - clock.Elapsed, allowed, grain);
            if (found.Status == SolveStatus.NoSolution) break;
            plan = Best(plan, found.Segments);
            if (grain == 1) break;
        }
        return plan;
    }

    /// <summary>The grid of <see cref="Windows"/>' searches: partial plans merged on the budget / 2^10.</summary>
    private const int WindowGrain = 10;

    /// <summary>The units a window of <see cref="Windows"/> spans.</summary>
    private const int WindowWidth = 32;

    /// <summary>
    /// A large-neighbourhood search: the dynamic program over the plan's own arcs everywhere but one window of
    /// units, where every arc that starts and ends inside it is allowed, and only plans faster than the best so far are
    /// kept (the peak is still checked over the whole chain, so a change in the window that raises a later peak is seen).
    /// Windows of <paramref name="width"/> units (32), half overlapping, searched on a grid of the budget / 2^10 (a window of 2·L units on the exact
    /// bytes took seconds at 1000 units), slide along the chain; passes repeat while one improves the
    /// plan, until <paramref name="limit"/>. No optimality claim.
    /// </summary>
    internal IReadOnlyList<Segment>? Windows(IReadOnlyList<Segment>? plan, long capBytes, TimeBound bound, TimeSpan limit, int width = WindowWidth)
    {
        var clock = Stopwatch.StartNew();
        int n = _t.Stages;
        width = Math.Clamp(width, 2, n);
        for (bool improved = true; improved && plan is not null && clock.Elapsed < limit;)
        {
            improved = false;
            for (int w = 0; w < n && clock.Elapsed < limit; w += width / 2)
            {
                var arcs = _t.ArcsOf(plan!);
                if (arcs is null) return plan;
                // The window runs from the plan's arc boundary at or before w to the one at or after w + width.
                int from = arcs.Where(x => x.P <= w).Max(x => x.P);
                int to = Math.Min(n, arcs.Select(x => x.P + _t.Out[x.P][x.J].Length).Where(e => e >= Math.Min(n, w + width)).DefaultIfEmpty(n).Min());
                var allowed = _t.Out.Select(r => new bool[r.Length]).ToArray();
                foreach (var (p, j) in arcs) allowed[p][j] = true;
                for (int p = from; p < to; p++)
                    for (int j = 0; j < _t.Out[p].Length; j++)
                        if (p + _t.Out[p][j].Length <= to) allowed[p][j] = true;
                long upper = TimeTicks.OfPlan(_t.Ticks, plan!) - 1;
                var found = Search(capBytes, upper, bound, 0, limit - clock.Elapsed, allowed, Math.Max(1, (capBytes - _t.FixedBytes) >> WindowGrain));
                if (found.Status == SolveStatus.NoSolution) break;
                if (found.Segments is { } better && TimeTicks.OfPlan(_t.Ticks, better) <= upper) { plan = better; improved = true; }
                if (to >= n) break;
            }
        }
        return plan;
    }

    private IReadOnlyList<Segment>? Fitting(IReadOnlyList<Segment> segments, long capBytes) =>
        _t.Holds(segments) && model.PeakBytes(segments) <= capBytes ? segments : null;

    public SolveOutcome MinimumPeak(TimeSpan limit)
    {
        // The least peak is the least cap the DP finds feasible: bisect on the cap.
        var clock = Stopwatch.StartNew();
        IReadOnlyList<Segment> best = model.Runnable(Baselines.EveryStage(_t.Stages));
        TimeBound bound;
        try
        {
            bound = new TimeBound(_t, deadline: Deadline.After(limit));
        }
        catch (Deadline.PassedException)
        {
            return new(SolveStatus.Feasible, best, 0);
        }
        long lo = _t.FixedBytes, hi = model.PeakBytes(best);
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

    /// <summary>a less the most an arc at p would free after this label's recompute arc: what the bound starts from.</summary>
    private long LowestA(in DpLabel x, int p) => x.EndsRecompute ? x.A - _t.MostAfterCheckpoint(p) : x.A;

    /// <summary>y less what a kept arc at p would hold less after this label's recompute arc: what the bound's holdings start from.</summary>
    private long LowestY(in DpLabel x, int p) => x.EndsRecompute && p < _t.Stages ? x.Y - _t.KeptHandleRelease[p] : x.Y;

    private static double Gap(long upper, double lower) => upper == 0 ? 0 : Math.Clamp((upper - lower) / upper, 0, 1);

    /// <summary>
    /// Searches all plans (beam 0) or the best <paramref name="beam"/> partial plans per position, keeping only
    /// those that may reach ≤ <paramref name="upper"/> ticks. NoSolution means the time limit ran out.
    /// </summary>
    private SolveOutcome Search(long cap, long upper, TimeBound bound, int beam, TimeSpan limit, bool[][]? allowed = null, long grain = 1)
    {
        var clock = Stopwatch.StartNew();
        int n = _t.Stages;
        long budget = cap - _t.FixedBytes;
        if (budget < 0) return new(SolveStatus.Infeasible, null, 0);
        var arena = new DpArena();
        var layers = new Dictionary<(long Y, long A, long F, bool R), int>[n + 1];
        for (int p = 0; p <= n; p++) layers[p] = [];
        const long None = long.MinValue / 4;
        layers[0][(0, None, None, false)] = arena.Add(new DpLabel(0, None, None, 0, -1, 0, 0, false));
        for (int p = 0; p < n; p++)
        {
            if (clock.Elapsed > limit) return new(SolveStatus.NoSolution, null, double.NaN);
            var labels = DpPareto.Filter(arena, [.. layers[p].Values], _t.NegativeNetSuffix(p, false), _t.NegativeNetSuffix(p, true));
            layers[p] = [];
            if (beam > 0 && labels.Length > beam)
            {
                var score = labels.Select(i => arena[i].T + bound.Ticks(p, LowestA(arena[i], p), LowestY(arena[i], p), budget)).ToArray();
                Array.Sort(score, labels);
                labels = labels[..beam];
            }
            var arcs = _t.Out[p];
            var skip = _t.Skip[p];
            var allowedHere = allowed?[p];
            foreach (int idx in labels)
            {
                var x = arena[idx];
                if (x.T + bound.Ticks(p, LowestA(x, p), LowestY(x, p), budget) > upper) continue;
                bool afterCheckpoint = x.EndsRecompute;
                for (int j = 0; j < arcs.Length;)
                {
                    ref readonly var arc = ref arcs[j];
                    long fwd = x.Y + arc.Forward;
                    if (fwd > budget) { j = skip[j]; continue; }
                    if (allowedHere is not null && !allowedHere[j]) { j++; continue; }
                    long hold = arc.Hold - (afterCheckpoint ? _t.HoldAfterCheckpoint(p, arc) : 0);
                    long y = x.Y + hold;
                    long a = Math.Max(x.A + hold - arc.Release - (afterCheckpoint ? _t.AfterCheckpoint(p, arc) : 0), y + arc.Backward);
                    Offer(p + arc.Length, y, a, Math.Max(x.F, fwd), x.T + arc.Ticks, idx, p, j, arc.Checkpoint);
                    j++;
                }
            }
        }
        int best = -1;
        foreach (int i in layers[n].Values)
        {
            ref var x = ref arena[i];
            long peak = Math.Max(x.F, x.A);
            if (peak > budget) continue;
            if (best < 0) { best = i; continue; }
            ref var b = ref arena[best];
            long bestPeak = Math.Max(b.F, b.A);
            if (x.T < b.T || (x.T == b.T && (peak < bestPeak || (peak == bestPeak && (x.Y, x.A, i).CompareTo((b.Y, b.A, best)) < 0)))) best = i;
        }
        if (best < 0) return new(SolveStatus.Infeasible, null, 0);
        return new(beam > 0 || grain > 1 ? SolveStatus.Feasible : SolveStatus.Optimal, arena.Segments(best, _t), 0);

        long Up(long v) => v >= 0 ? (v + grain - 1) / grain : -(-v / grain);

        void Offer(int at, long y, long a, long f, long t, int parent, int from, int arc, bool checkpoint)
        {
            if (a + _t.NegativeNetSuffix(at, checkpoint) > budget || t > upper) return;
            var layer = layers[at];
            var key = grain == 1 ? (y, a, f, checkpoint) : (Up(y), Up(a), Up(f), checkpoint);
            if (layer.TryGetValue(key, out int old) && arena[old].T <= t) return;
            layer[key] = arena.Add(new DpLabel(y, a, f, t, parent, from, arc, checkpoint));
        }
    }
}
