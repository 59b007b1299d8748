using AutoCkpt.Formats;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Memory;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests.Profiling;

/// <summary>An MLP unit (two Linear layers), a bare Linear unit (no Linear inside it: nothing to keep) and a GELU.</summary>
internal sealed class MlpTarget : ICheckpointTarget
{
    public string Name => "mlp";

    public nn.Module<Tensor, Tensor> CreateModel(Device device) => nn.Sequential(
        ("mlp", nn.Sequential(nn.Linear(LinearGeluTarget.D, 2 * LinearGeluTarget.D), nn.GELU(), nn.Linear(2 * LinearGeluTarget.D, LinearGeluTarget.D))),
        ("linear", nn.Linear(LinearGeluTarget.D, LinearGeluTarget.D)), ("gelu", nn.GELU()));

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randn(batchSize, LinearGeluTarget.D), randn(batchSize, LinearGeluTarget.D));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.mse_loss(output, target);
}

/// <summary>The profiler measures the save-matmuls option (docs/selective.md) on units with Linear layers, as they run.</summary>
public sealed class SaveMatmulsFiguresTests
{
    private static readonly Lazy<Profile> Run = new(() =>
        new ModelProfiler(new Meter(new CpuMemoryProbe(), TimeProvider.System))
            .Run(new MlpTarget(), CPU, new DeviceInfo("cpu", "test"), new ProfileOptions(LinearGeluTarget.B, Repeats: 3)));

    [Fact]
    public void Given_a_unit_with_linear_layers_and_units_without_When_profiled_Then_only_that_unit_has_save_matmuls_figures()
    {
        var stages = Run.Value.Stages;
        var linear = Assert.IsType<SaveMatmulsFigures>(stages[0].SaveMatmuls);
        Assert.Equal(LinearGeluTarget.B * 3 * LinearGeluTarget.D * 4L, linear.KeptBytes);
        Assert.InRange(linear.RecomputeSeconds, 0, stages[0].ForwardSeconds);
        Assert.All(stages.Skip(1), s => Assert.Null(s.SaveMatmuls));
        var back = ProfileFile.Parse(ProfileFile.Format(Run.Value), "p.yaml");
        Assert.Equal(stages.Select(s => s.SaveMatmuls), back.Stages.Select(s => s.SaveMatmuls));
    }

    [Fact]
    public void Given_a_unit_with_two_linear_layers_When_its_save_matmuls_pass_runs_Then_they_get_empty_batches_and_their_outputs_are_the_kept_bytes()
    {
        torch.manual_seed(3);
        var unit = nn.Sequential(nn.Linear(8, 16), nn.GELU(), nn.Linear(16, 8));
        var rows = new List<long>();
        foreach (var layer in unit.modules().OfType<Linear>())
            layer.register_forward_hook((m, x, y) => { rows.Add(y.shape[0]); return y; });
        using var input = randn(4, 8);
        using var pass = new SaveMatmulsStagePass(UnitCall.Of(unit), input, inputRequiresGrad: true);
        Assert.Equal(4 * 16 * 4 + 4 * 8 * 4, pass.KeptBytes);
        Assert.Equal([4L, 4L], rows); // the forward the outputs were kept from
        rows.Clear();
        pass.Forward();
        Assert.Equal([0L, 0L], rows);
        pass.PrepareBackward();
        pass.Backward();
    }
}
