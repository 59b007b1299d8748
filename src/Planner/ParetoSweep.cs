using AutoCkpt.Formats.Plans;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Solvers;

namespace AutoCkpt.Planner;

/// <summary>
/// Solves evenly spaced caps from the smallest reachable peak to the peak with no recompute (under the plan's cost
/// model: the tidy peak) and records, for each, the optimal plan and the fastest uniform plan
/// (checkpoint_sequential(k), any k) that fits, each with the plan space the planner searches at that cap
/// (<see cref="CheckpointPlanner.SpaceFor"/>: multi-level below the every-stage peak). The bottom is the smallest peak any plan reaches, not every_stage's:
/// on chains of single-op units every_stage may peak above no recompute.
/// </summary>
internal static class ParetoSweep
{
    public static IReadOnlyList<SweepPoint> Run(StepCostModel model, Func<long, IPlanSolver> solverFor, TimeSpan limit, int points, long smallestPeak)
    {
        int n = model.Stages;
        long top = model.PeakBytes(Baselines.None(n));
        long lo = Math.Min(smallestPeak, top), hi = top;
        var caps = Enumerable.Range(0, points).Select(i => lo + (long)Math.Round((hi - lo) * (double)i / (points - 1))).Distinct();
        var result = new List<SweepPoint>();
        foreach (long cap in caps)
        {
            var outcome = solverFor(cap).Solve(cap, limit);
            if (outcome.Segments is not { } segments) continue;
            var p = model.Predict(segments);
            var uniform = Baselines.BestUniform(model, cap);
            result.Add(new SweepPoint(cap, p.PeakBytes, p.StepSeconds)
            {
                UniformName = uniform?.Name,
                UniformPeakBytes = uniform?.Prediction.PeakBytes,
                UniformStepSeconds = uniform?.Prediction.StepSeconds,
            });
        }
        return result;
    }
}
