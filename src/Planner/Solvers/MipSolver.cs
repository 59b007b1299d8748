using System.Diagnostics;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Planner.CostModel;
using Google.OrTools.LinearSolver;

namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// Solves the MIP in two phases: least recompute ticks under the cap, then, with the ticks fixed, the lowest
/// peak (the deterministic tie-break). Every answer is checked against the cost model in exact bytes; when
/// solver tolerances let a plan exceed the cap by a few bytes, the cap row is tightened and the MIP solved again.
/// </summary>
internal sealed class MipSolver(StepCostModel model, int maxSegment, string backend, Deadline deadline = default) : IPlanSolver
{
    private const double RelativeGap = 1e-9;
    private readonly ChainGraph _tables = new(model, maxSegment, deadline);

    public string Method => "mip";

    public string Backend => backend;

    public SolveOutcome Solve(long capBytes, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        // Long chains: the LP bound and the plan it guides are the best use of most of the time (docs/planner.md).
        bool large = _tables.Stages > LpGuide.LargeChain;
        // As in the dynamic program: on long chains the steps that do not stop mid-way (GLOP, building the MIP) and
        // the baselines scored after must fit in the limit too.
        if (large) limit *= 0.9;
        var (start, lower, lowerBy) = new DynamicProgramSolver(model, _tables.MaxSegment).StartPlan(capBytes, large ? limit * 0.85 : limit / 2);
        if (double.IsPositiveInfinity(lower)) return new(SolveStatus.Infeasible, null, 0);
        if (start is not null && lower > 0 && TimeTicks.OfPlan(_tables.Ticks, start) <= Math.Ceiling(lower))
            return new(SolveStatus.Optimal, start, 0, $"dp+{lowerBy}"); // the LP's (or Lagrangian) bound proves the start plan optimal
        if (large && start is not null && clock.Elapsed > limit * 0.7) return StartOnly(start, lower, lowerBy);
        using var mip = new MipModel(_tables, backend);
        long bound = capBytes;
        for (int attempt = 0; attempt < 4; attempt++)
        {
            mip.SetCap(bound);
            mip.SetTimeBound(null);
            mip.MinimiseTime(true);
            if (start is not null) mip.Hint(start);
            var (status, value, best) = mip.Solve(limit - clock.Elapsed, RelativeGap);
            if (status == Solver.ResultStatus.INFEASIBLE) return new(SolveStatus.Infeasible, null, 0);
            if (status is not (Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE))
                return start is not null && status == Solver.ResultStatus.NOT_SOLVED ? StartOnly(start, lower, lowerBy) : NoAnswer(status, clock, limit);
            var first = mip.Segments();
            if (status == Solver.ResultStatus.FEASIBLE && start is not null && TimeTicks.OfPlan(_tables.Ticks, start) < TimeTicks.OfPlan(_tables.Ticks, first))
                first = start;
            bool fromStart = start is not null && first.SequenceEqual(start);
            long ticks = TimeTicks.OfPlan(_tables.Ticks, first);
            var candidates = new List<IReadOnlyList<Segment>> { first };
            bool proved = status == Solver.ResultStatus.OPTIMAL;
            if (proved && clock.Elapsed < limit)
            {
                mip.SetTimeBound(ticks);
                mip.MinimiseTime(false);
                mip.Hint(first);
                var (second, _, _) = mip.Solve(limit - clock.Elapsed, RelativeGap);
                if (second is Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE) candidates.Add(mip.Segments());
            }
            var fitting = candidates
                .Select(s => (Segments: s, Ticks: TimeTicks.OfPlan(_tables.Ticks, s), Peak: model.PeakBytes(s)))
                .Where(c => c.Peak <= capBytes && c.Ticks <= ticks)
                .OrderBy(c => c.Peak)
                .ToList();
            if (fitting.Count > 0)
            {
                if (proved) return new(SolveStatus.Optimal, fitting[0].Segments, 0);
                double scipBound = double.IsFinite(best) ? best : 0, lowest = Math.Max(scipBound, lower);
                long found = fitting[0].Ticks;
                // Which plan, and whose bound: the dynamic program's start plan or SCIP's, SCIP's bound or the start's.
                string planBy = fromStart ? "dp" : "SCIP", boundBy = lower > scipBound ? lowerBy ?? "SCIP" : "SCIP";
                string source = planBy == boundBy ? planBy : $"{planBy}+{boundBy}";
                return found <= Math.Ceiling(lowest) ? new(SolveStatus.Optimal, fitting[0].Segments, 0, source) : new(SolveStatus.Feasible, fitting[0].Segments, Gap(found, lowest), source);
            }
            long excess = candidates.Max(s => model.PeakBytes(s)) - capBytes;
            bound -= Math.Max(1, excess);
        }
        throw new InvalidOperationException("the MIP kept returning plans over the cap after tightening it; this is a bug.");
    }

    public SolveOutcome MinimumPeak(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        using var mip = new MipModel(_tables, backend);
        mip.SetCap(null);
        mip.MinimiseTime(false);
        var (status, value, best) = mip.Solve(limit, RelativeGap);
        if (status is not (Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE))
            return NoAnswer(status, clock, limit);
        bool proved = status == Solver.ResultStatus.OPTIMAL;
        return new(proved ? SolveStatus.Optimal : SolveStatus.Feasible, mip.Segments(), proved ? 0 : Gap(value, best));
    }

    /// <summary>The start plan (the dynamic program's) when the MIP added nothing, against the start's bound (GLOP's or Lagrangian).</summary>
    private SolveOutcome StartOnly(IReadOnlyList<Segment> start, double lower, string? lowerBy)
    {
        long ticks = TimeTicks.OfPlan(_tables.Ticks, start);
        string? source = lower > 0 && lowerBy is not null ? $"dp+{lowerBy}" : null;
        return ticks <= Math.Ceiling(lower) ? new(SolveStatus.Optimal, start, 0, source) : new(SolveStatus.Feasible, start, Gap(ticks, lower), source);
    }

    private static SolveOutcome NoAnswer(Solver.ResultStatus status, Stopwatch clock, TimeSpan limit) =>
        status == Solver.ResultStatus.NOT_SOLVED || clock.Elapsed >= limit * 0.95
            ? new(SolveStatus.NoSolution, null, double.NaN)
            : throw new InvalidOperationException($"OR-Tools {status} on the checkpoint MIP; this is a bug.");

    /// <summary>(incumbent − bound) / incumbent on recompute ticks, in [0, 1]; 1 when no useful bound is known.</summary>
    private static double Gap(double value, double bound) =>
        Math.Abs(value) < 1e-12 ? 0 : double.IsFinite(bound) ? Math.Clamp((value - bound) / Math.Abs(value), 0, 1) : 1;
}
