using AutoCkpt.Formats.Plans;
using AutoCkpt.Planner.Strategies.Keep;
using AutoCkpt.Planner.Strategies.Nested;
using AutoCkpt.Planner.Strategies.Recompute;
using AutoCkpt.Planner.Strategies.SaveMatmuls;
using AutoCkpt.Planner.Strategies.SubModule;
using AutoCkpt.Planner.Strategies.TidyKeep;

namespace AutoCkpt.Planner.Strategies;

/// <summary>The one place strategies are registered (docs/architecture.md, "Adding a strategy").</summary>
public static class StrategyRegistry
{
    /// <summary>Every strategy the planner offers, in the order arcs are listed.</summary>
    public static IReadOnlyList<PlanStrategy> All { get; } = [new TidyKeepStrategy(), new KeepStrategy(), new RecomputeStrategy(), new NestedStrategy(), new SaveMatmulsStrategy(), new TidySubModuleStrategy(), new SubModuleStrategy()];

    /// <summary>
    /// The first registered strategy whose units the plan runs as <paramref name="key"/> (the plain one of those that share
    /// a key, e.g. recompute rather than nested), or null when none does.
    /// </summary>
    public static PlanStrategy? For(SegmentStrategy key) => All.FirstOrDefault(s => s.Runs == key && !s.Tidy) ?? All.FirstOrDefault(s => s.Runs == key);

    /// <summary>
    /// The strategies offered at unit <paramref name="unit"/>: those that allow it, less those replaced by another that
    /// allows it.
    /// </summary>
    public static IEnumerable<PlanStrategy> At(UnitCosts costs, int unit)
    {
        var allowed = All.Where(s => s.Allows(costs, unit)).ToList();
        return allowed.Where(s => !allowed.Any(o => o.Replaces == s.Name));
    }
}
