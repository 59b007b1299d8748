using AutoCkpt.Formats.Errors;
using AutoCkpt.Recompute;
using AutoCkpt.Runtime.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Recompute;

/// <summary>
/// The runtime's memory fixes read TorchSharp internals by reflection. Where they are missing, a plan that recomputes
/// is still applied (gradients stay correct) but warning ACKPT013 says so, once per Apply, naming what is missing.
/// </summary>
public sealed class AutogradInternalsWarningTests
{
    private static readonly string[] Lacking = ["Node<T>._outputCache"];

    [Fact]
    public void Given_a_TorchSharp_without_the_internals_When_a_plan_that_recomputes_is_applied_Then_ACKPT013_is_warned_once()
    {
        var plain = TestModels.Mlp(float32);
        var warnings = new List<string>();
        var model = AutoCkpt.Checkpointing.Apply(plain, Plans.For(plain, "r0-2 k3-4 r5-7"), "my.plan.yaml", warnings.Add, null, Lacking);
        var (input, target) = TestModels.Batches(1, 16, float32)[0];
        using (NewDisposeScope())
            TestModels.MseLoss(model.call(input), target).backward();
        var warning = Assert.Single(warnings);
        Assert.StartsWith($"my.plan.yaml: warning {ErrorCodes.AutogradInternalsMissing}: ", warning);
        Assert.Contains("Node<T>._outputCache", warning);
        Assert.Contains("stays correct", warning);
    }

    [Fact]
    public void Given_a_TorchSharp_without_the_internals_When_a_plan_that_keeps_everything_is_applied_Then_nothing_is_warned()
    {
        var plain = TestModels.Mlp(float32);
        var warnings = new List<string>();
        AutoCkpt.Checkpointing.Apply(plain, Plans.KeepAll(plain), null, warnings.Add, null, Lacking);
        Assert.Empty(warnings);
    }

    [Fact]
    public void Given_the_referenced_TorchSharp_When_a_plan_that_recomputes_is_applied_Then_nothing_is_warned()
    {
        Assert.Empty(AutogradInternals.Missing);
        var plain = TestModels.Mlp(float32);
        var warnings = new List<string>();
        AutoCkpt.Checkpointing.Apply(plain, Plans.EveryStage(plain), onWarning: warnings.Add);
        Assert.Empty(warnings);
    }
}
