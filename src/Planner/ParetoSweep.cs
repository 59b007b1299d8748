using AutoCkpt.Formats.Plans;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Solvers;

namespace AutoCkpt.Planner;

/// <summary>
/// Solves evenly spaced caps from the every-stage peak to the no-checkpointing peak and records, for each, the
/// optimal plan and the fastest uniform plan (checkpoint_sequential(k), any k) that fits.
/// </summary>
internal static class ParetoSweep
{
    public static IReadOnlyList<SweepPoint> Run(StepCostModel model, IPlanSolver solver, TimeSpan limit, int points)
    {
        int n = model.Stages;
        long every = model.PeakBytes(Baselines.EveryStage(n)), none = model.PeakBytes(Baselines.None(n));
        long lo = Math.Min(every, none), hi = Math.Max(every, none);
        var caps = Enumerable.Range(0, points).Select(i => lo + (long)Math.Round((hi - lo) * (double)i / (points - 1))).Distinct();
        var result = new List<SweepPoint>();
        foreach (long cap in caps)
        {
            var outcome = solver.Solve(cap, limit);
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
