using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Strategies.Keep;
using AutoCkpt.Strategies.Recompute;
using AutoCkpt.Strategies.SaveMatmuls;
using AutoCkpt.Strategies.SubModule;

namespace AutoCkpt.Strategies;

/// <summary>The one place the runtime's strategy behaviours are registered (docs/architecture.md, "Adding a strategy").</summary>
internal static class BehaviourRegistry
{
    /// <summary>Every behaviour, one per plan strategy (<see cref="SegmentStrategy.All"/>).</summary>
    public static IReadOnlyList<StrategyBehaviour> All { get; } = [new KeepBehaviour(), new RecomputeBehaviour(), new SaveMatmulsBehaviour(), new SubModuleBehaviour()];

    /// <summary>The behaviour that runs <paramref name="strategy"/>; ACKPT009 when this runtime has none.</summary>
    public static StrategyBehaviour For(SegmentStrategy strategy, string? planFile = null) =>
        All.FirstOrDefault(b => b.Strategy == strategy)
        ?? throw new AckptException(ErrorCodes.PlanUnknownStrategy, $"the runtime does not know how to run strategy '{strategy.Name}'.", planFile);
}
