using AutoCkpt.Memory;
using AutoCkpt.Runtime.Tests.Support;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Memory;

/// <summary>
/// The plan's savings are real native memory, measured with <see cref="CpuMemoryProbe"/> (facts §6) on a stack of
/// eight stages (Linear, GELU, Linear, GELU, Dropout at width 256) fed 1024 rows: one activation is 1 MiB and a
/// plain forward keeps about five per stage.
/// </summary>
[Collection(MemoryCollection.Name)]
public sealed class CheckpointMemoryTests(ITestOutputHelper output)
{
    private const int Stages = 8;
    private const long Width = 256;
    private const long Rows = 1024;

    [Fact]
    public void Given_every_stage_recomputed_When_the_forward_has_run_Then_live_bytes_grew_by_the_stage_inputs_alone()
    {
        var probe = new CpuMemoryProbe();
        var plain = TestModels.ActivationHeavyStack(Stages, Width);
        var model = AutoCkpt.Checkpointing.Apply(plain, Plans.EveryStage(plain));
        var (input, target) = Batch();
        using var optimizer = torch.optim.SGD(model.parameters(), 0.01);
        WarmUp(model, optimizer, input, target, probe);

        using var scope = torch.NewDisposeScope();
        long before = probe.LiveBytes();
        var result = model.call(input);
        long grown = probe.LiveBytes() - before;

        // Kept: the inputs of stages 1..7 and the model's output. Stage 0's input is the batch, live before; every
        // stage input and the output have the batch's shape, so this is the sum of the eight stage inputs.
        long activation = input.numel() * input.element_size();
        long stageInputs = Stages * activation;
        Assert.Equal(activation, result.numel() * result.element_size());
        output.WriteLine($"live growth after forward {grown} B, sum of stage inputs {stageInputs} B");
        Assert.InRange(grown, stageInputs * 0.95, stageInputs * 1.05);
    }

    [Fact]
    public void Given_activations_dominate_When_every_stage_is_recomputed_Then_the_step_peak_drops_by_at_least_half_the_plain_activations()
    {
        var probe = new CpuMemoryProbe();
        var (input, target) = Batch();
        var plain = Measure(TestModels.ActivationHeavyStack(Stages, Width), input, target, probe);
        var model = TestModels.ActivationHeavyStack(Stages, Width);
        var recomputed = Measure(AutoCkpt.Checkpointing.Apply(model, Plans.EveryStage(model)), input, target, probe);

        output.WriteLine($"plain: retained {plain.Retained} B, peak {plain.Peak} B; every stage recomputed: retained {recomputed.Retained} B, peak {recomputed.Peak} B");
        Assert.True(plain.Peak - recomputed.Peak >= plain.Retained / 2,
            $"peak fell by {plain.Peak - recomputed.Peak} B, less than half of the plain model's {plain.Retained} B of activations");
    }

    private static (Tensor Input, Tensor Target) Batch()
    {
        torch.manual_seed(3);
        return (torch.randn(Rows, Width).DetachFromDisposeScope(), torch.randn(Rows, Width).DetachFromDisposeScope());
    }

    /// <summary>Activations kept by the forward and the step's peak, both above the live bytes at the step's start.</summary>
    private static (long Retained, long Peak) Measure(nn.Module<Tensor, Tensor> model, Tensor input, Tensor target, CpuMemoryProbe probe)
    {
        using var optimizer = torch.optim.SGD(model.parameters(), 0.01);
        WarmUp(model, optimizer, input, target, probe);
        var result = Step(model, optimizer, input, target, probe);
        model.Dispose();
        return result;
    }

    /// <summary>Two steps: the first ones allocate once-only native state (thread pools, allocator caches) and gradients.</summary>
    private static void WarmUp(nn.Module<Tensor, Tensor> model, torch.optim.Optimizer optimizer, Tensor input, Tensor target, CpuMemoryProbe probe)
    {
        for (int i = 0; i < 2; i++)
            Step(model, optimizer, input, target, probe);
        MemoryCollection.Settle();
    }

    private static (long Retained, long Peak) Step(nn.Module<Tensor, Tensor> model, torch.optim.Optimizer optimizer, Tensor input, Tensor target, CpuMemoryProbe probe)
    {
        using var scope = torch.NewDisposeScope();
        optimizer.zero_grad();
        probe.ResetPeak();
        long start = probe.LiveBytes();
        var result = model.call(input);
        long retained = probe.LiveBytes() - start;
        nn.functional.mse_loss(result, target).backward();
        optimizer.step();
        return (retained, probe.PeakBytes() - start);
    }
}
