using AutoCkpt.Formats.Plans;
using AutoCkpt.Planner.CostModel;

namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// What a plan call falls back to when its time limit runs out before the solver has a plan (docs/planner.md, "The time
/// limit"): the fastest of the standard baselines that fits (no checkpointing or tidy, every_stage, sqrt_n, and the
/// fastest fitting <c>checkpoint_sequential(k)</c>, <paramref name="bestUniform"/> as <see cref="Baselines.BestUniform"/>
/// found it for the cap the call solves), as the call scored them already (<paramref name="scored"/>, the plan's
/// baselines: no O(n) pass is made again after the time ran out). No bound: the gap is unknown (1).
/// </summary>
internal sealed class BaselineSolver(StepCostModel model, string method, IReadOnlyList<BaselineResult> scored, (string Name, Prediction Prediction)? bestUniform) : IPlanSolver
{
    public string Method => method;

    public string Backend => "baselines";

    public SolveOutcome Solve(long capBytes, TimeSpan limit)
    {
        int n = model.Stages;
        IReadOnlyList<Segment>? best = null;
        Prediction? bestPrediction = null;
        // none is scored with the plain cost model in the plan's list; under this (tidy) model it is tidy, listed next.
        var candidates = scored.Where(b => !Baselines.IsPlain(b.Name)).Select(b => (b.Segments, b.Prediction)).ToList();
        if (bestUniform is { Name: var uniform } && Baselines.ByName(uniform, n) is { } segments)
            candidates.Add((model.Runnable(segments), bestUniform.Value.Prediction));
        foreach (var (runnable, p) in candidates)
        {
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
