using AutoCkpt.Formats.Plans;
using AutoCkpt.Runtime.Tests.Support;
using AutoCkpt.Strategies;
using Xunit;

namespace AutoCkpt.Runtime.Tests.Strategies;

/// <summary>
/// The runtime's registry of strategy behaviours: one for every strategy a plan can say, and each trains a unit
/// bit-identically to the plain model on the CPU, so a strategy added to the format without its behaviour, or with one
/// that changes training, fails here. That each behaviour really recomputes what it says is tested in its own folder
/// (e.g. <c>SubModuleTests</c>: only the named child reruns in the backward).
/// </summary>
public sealed class BehaviourRegistryTests
{
    /// <summary>A valid option for TinyGpt's block 0, per strategy that takes one (<see cref="SegmentStrategy.TakesOption"/>).</summary>
    private static readonly Dictionary<string, string> ExampleOptions = new() { ["sub_module"] = "norm" };

    public static TheoryData<string> Names => [.. SegmentStrategy.All.Select(s => s.Name)];

    [Fact]
    public void Given_every_plan_strategy_Then_exactly_one_behaviour_runs_it()
    {
        foreach (var strategy in SegmentStrategy.All)
            Assert.Single(BehaviourRegistry.All, b => b.Strategy == strategy);
        Assert.Equal(SegmentStrategy.All.Count, BehaviourRegistry.All.Count);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Given_a_unit_run_under_each_registered_strategy_When_trained_Then_training_is_bit_identical(string name)
    {
        var strategy = SegmentStrategy.Named(name)!;
        string? option = null;
        if (strategy.TakesOption)
            Assert.True(ExampleOptions.TryGetValue(name, out option), $"add an example option for '{name}' to {nameof(ExampleOptions)}.");
        var batches = TinyGpt.Batches(2);
        using var expected = Trainer.Run(new TinyGpt(), batches, TinyGpt.Loss);
        var model = new TinyGpt();
        var plan = Plans.For(model, "k0 r1 k2-4") with
        {
            Segments = [new Segment(0, 0, SegmentStrategy.Keep), new Segment(1, 1, strategy) { Option = option }, new Segment(2, 4, SegmentStrategy.Keep)],
        };
        var applied = Checkpointing.Apply(model, plan);
        Assert.Equal(strategy.Recomputes ? 1 : 0, Checkpointing.Applied(applied)!.RecomputedUnits);
        using var actual = Trainer.Run(applied, batches, TinyGpt.Loss);
        Same.Training(expected, actual);
    }
}
