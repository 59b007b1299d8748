using AutoCkpt.Formats;
using AutoCkpt.Planner;

namespace AutoCkpt.Bench;

/// <summary>The strategies a bench compares, named as a plan file's baselines.</summary>
public static class BenchStrategies
{
    /// <summary>
    /// none, every_stage, the fastest uniform_k whose predicted peak fits what the plan was solved under, its cap less
    /// its headroom (left out when none fits or when no checkpointing fits already), and the plan itself, in that order.
    /// </summary>
    public static IReadOnlyList<BenchStrategy> For(Plan plan, StepCostModel costModel)
    {
        int n = costModel.Stages;
        var list = new List<BenchStrategy>
        {
            new("none", Baselines.None(n)),
            new("every_stage", Baselines.EveryStage(n)),
        };
        if (Baselines.BestUniform(costModel, plan.BudgetBytes) is { Name: not "none" } best)
            list.Add(new BenchStrategy(best.Name, Baselines.ByName(best.Name, n)!));
        list.Add(new BenchStrategy("plan", plan.Segments));
        return list;
    }
}
