using AutoCkpt.Formats;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Memory;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests.Profiling;

/// <summary>tanh(2x) + x: the doubled input is dead once tanh has run (tanh keeps its output, the sum nothing).</summary>
internal class DeadDouble() : nn.Module<Tensor, Tensor>("dead-double")
{
    public override Tensor forward(Tensor x) => (x * 2).tanh() + x;
}

/// <summary>The same unit, opted out of tidy in code.</summary>
[NoTidy]
internal sealed class OptedOutDeadDouble : DeadDouble;

/// <summary>Linear, a unit with a dead intermediate, one opted out of tidy, and a plain GELU last.</summary>
internal sealed class DeadDoubleTarget : ICheckpointTarget
{
    public string Name => "dead-double";

    public nn.Module<Tensor, Tensor> CreateModel(Device device) => nn.Sequential(
        ("linear", nn.Linear(LinearGeluTarget.D, LinearGeluTarget.D)), ("dead", new DeadDouble()), ("opted", new OptedOutDeadDouble()), ("gelu", nn.GELU()));

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randn(batchSize, LinearGeluTarget.D), randn(batchSize, LinearGeluTarget.D));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.mse_loss(output, target);
}

/// <summary>The profiler measures each unit kept and tidy, and records units opted out of tidy.</summary>
public sealed class TidyFiguresTests
{
    private const long T = LinearGeluTarget.B * LinearGeluTarget.D * 4L;
    private const long Rounding = 4096 + 128;
    private const long TensorSmallBlocks = 512;

    private static readonly Lazy<Profile> Run = new(() =>
        new ModelProfiler(new Meter(new CpuMemoryProbe(), TimeProvider.System))
            .Run(new DeadDoubleTarget(), CPU, new DeviceInfo("cpu", "test"), new ProfileOptions(LinearGeluTarget.B, Repeats: 3)));

    [Fact]
    public void Given_a_unit_with_a_dead_intermediate_When_profiled_Then_its_tidy_retained_bytes_are_one_activation_under_its_plain_ones()
    {
        var dead = Run.Value.Stages[1];
        var tidy = Assert.IsType<TidyFigures>(dead.Tidy);
        Assert.True(dead.TidyAllowed);
        // The dead intermediate's data, T, and its tensor's own small blocks (TensorImpl, StorageImpl: 240 B in CI's run
        // of 2026-12-03, which also read one page of heap growth, 4096 B, since the probe sets malloc's top pad to 0:
        // T + 4336, over T + Rounding by 112 B).
        Assert.InRange(dead.RetainedBytes - tidy.RetainedBytes, T - Rounding, T + Rounding + TensorSmallBlocks);
        // What autograd saved is what a recompute segment's re-run keeps too.
        Assert.InRange(tidy.RetainedBytes, dead.Recompute!.RetainedBytes - Rounding, dead.Recompute.RetainedBytes + Rounding);
    }

    [Fact]
    public void Given_a_unit_whose_class_is_marked_NoTidy_When_profiled_Then_it_is_recorded_as_not_allowing_tidy_and_has_no_tidy_figures()
    {
        var opted = Run.Value.Stages[2];
        Assert.False(opted.TidyAllowed);
        Assert.Null(opted.Tidy);
        var text = ProfileFile.Format(Run.Value);
        Assert.Contains("    tidy_allowed: false\n", text);
        var back = ProfileFile.Parse(text, "p.yaml");
        Assert.Equal(Run.Value.Stages.Select(s => (s.Tidy, s.TidyAllowed)), back.Stages.Select(s => (s.Tidy, s.TidyAllowed)));
    }
}
