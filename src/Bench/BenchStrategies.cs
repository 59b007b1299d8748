using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner;
using AutoCkpt.Planner.CostModel;

namespace AutoCkpt.Bench;

/// <summary>The strategies a bench compares, named as a plan file's baselines.</summary>
public static class BenchStrategies
{
    /// <summary>
    /// none, every_stage, the fastest uniform_k whose predicted peak fits what the plan was solved under, its cap less
    /// its headroom (left out when none fits or when no checkpointing fits already), and the plan itself, in that order.
    /// Nothing runs tidy: for a plain cost model (and plans of format 1).
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

    /// <summary>
    /// none (the plain model), tidy (no recompute, every allowed unit tidy), every_stage, the fastest tidy uniform_k
    /// whose predicted peak fits the plan's cap less its headroom (left out when none fits or when tidy fits already),
    /// and the plan with its own tidy units, in that order. A unit counts as allowing tidy when the profile allows it
    /// and the plan, where it keeps the unit, made it tidy (a unit the plan keeps untidy was opted out by --no-tidy).
    /// </summary>
    public static IReadOnlyList<BenchStrategy> ForTidy(Plan plan, Profile profile)
    {
        var model = TidyModel(plan, profile);
        var allowed = model.TidyStages;
        int n = model.Stages;
        var list = new List<BenchStrategy>
        {
            new("none", Baselines.None(n)),
            new(Baselines.Tidy, Baselines.None(n)) { Tidy = allowed },
            new("every_stage", Baselines.EveryStage(n)),
        };
        if (Baselines.BestUniform(model, plan.BudgetBytes) is { Name: not Baselines.Tidy } best)
            list.Add(new BenchStrategy(best.Name, Baselines.ByName(best.Name, n)!) { Tidy = allowed });
        list.Add(new BenchStrategy("plan", plan.Segments) { Tidy = [.. Enumerable.Range(0, n).Select(plan.IsTidy)] });
        return list;
    }

    /// <summary>The tidy cost model the bench's tidy strategies are predicted with: <see cref="TidyCosts.ForPlan"/>.</summary>
    public static StepCostModel TidyModel(Plan plan, Profile profile) => TidyCosts.ForPlan(plan, profile);
}
