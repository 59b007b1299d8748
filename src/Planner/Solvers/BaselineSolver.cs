using AutoCkpt.Formats.Plans;
using AutoCkpt.Planner.CostModel;

namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// What a plan call falls back to when its time limit runs out before the solver has a plan (docs/planner.md, "The time
/// limit"): the fastest of the standard baselines that fits (no checkpointing or tidy, every_stage, sqrt_n, and the
/// fastest fitting <c>checkpoint_sequential(k)</c>, <paramref name="bestUniform"/> as <see cref="Baselines.BestUniform"/>
/// found it for the cap the call solves), each O(n) to score. No bound: the gap is unknown (1).
/// </summary>
internal sealed class BaselineSolver(StepCostModel model, string method, (string Name, Prediction Prediction)? bestUniform) : IPlanSolver
{
    public string Method => method;

    public string Backend => "baselines";

    public SolveOutcome Solve(long capBytes, TimeSpan limit)
    {
        int n = model.Stages;
        IReadOnlyList<Segment>? best = null;
        Prediction? bestPrediction = null;
        var candidates = Baselines.Standard(n).Select(b => b.Segments).ToList();
        if (bestUniform is { Name: var uniform } && Baselines.ByName(uniform, n) is { } segments)
            candidates.Add(segments);
        foreach (var c in candidates)
        {
            var runnable = model.Runnable(c);
            var p = model.Predict(runnable);
            if (p.PeakBytes > capBytes) continue;
            if (bestPrediction is null || p.StepSeconds < bestPrediction.StepSeconds
                || (p.StepSeconds == bestPrediction.StepSeconds && p.PeakBytes < bestPrediction.PeakBytes))
                (best, bestPrediction) = (runnable, p);
        }
        return best is null ? new(SolveStatus.NoSolution, null, 1) : new(SolveStatus.Feasible, best, 1);
    }

    public SolveOutcome MinimumPeak(TimeSpan limit)
    {
        var least = Baselines.Standard(model.Stages).Select(b => model.Runnable(b.Segments)).MinBy(model.PeakBytes)!;
        return new(SolveStatus.Feasible, least, 0);
    }
}
