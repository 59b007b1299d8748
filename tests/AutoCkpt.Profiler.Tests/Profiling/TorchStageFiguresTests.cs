using AutoCkpt.Memory;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests.Profiling;

/// <summary>
/// Stage figures on real tensors, for stages whose saved tensors are known by hand. With batch B and width D, one
/// activation is T = B·D·4 bytes (float32): 128 KiB here, so every activation is its own mmap'd block.
/// </summary>
public sealed class TorchStageFiguresTests(ITestOutputHelper log)
{
    private const int B = 64;
    private const int D = 512;
    private const long T = B * D * 4L;

    // Allocator rounding: each activation is one mmap'd block rounded up to a page (plus malloc's header and
    // libtorch's 64-byte alignment), and autograd's bookkeeping (nodes, tensor headers) is small heap memory.
    private const long PerTensorRounding = 4096 + 128;
    private const long Bookkeeping = 8192;

    private readonly StageMeasurer _measurer = new(new Meter(new CpuMemoryProbe(), TimeProvider.System));

    private Formats.Profiles.StageProfile Measure(nn.Module<Tensor, Tensor> stage, bool isBatch = false, Func<Tensor, Tensor>? loss = null)
    {
        stage.train();
        using var input = randn(B, D);
        var p = _measurer.Measure("s", () => new TorchStagePass(stage, input, isBatch, loss), warmups: 1, repeats: 3);
        log.WriteLine(p.ToString());
        return p;
    }

    private static void AssertTensors(long expectedTensors, long measured) =>
        Assert.InRange(measured, expectedTensors * T, expectedTensors * (T + PerTensorRounding) + Bookkeeping);

    [Fact]
    public void Given_a_Linear_GELU_block_When_profiled_Then_it_retains_the_Linear_output_GELU_saves_and_its_own_output()
    {
        var p = Measure(nn.Sequential(nn.Linear(D, D), nn.GELU()));

        Assert.Equal(T, p.OutputBytes);
        AssertTensors(2, p.RetainedBytes);
    }

    [Fact]
    public void Given_a_GELU_stage_When_profiled_Then_it_retains_only_its_output_because_its_saved_input_already_exists()
    {
        var p = Measure(nn.GELU());

        Assert.Equal(T, p.OutputBytes);
        AssertTensors(1, p.RetainedBytes);
    }

    [Fact]
    public void Given_a_Linear_stage_on_the_batch_When_profiled_Then_it_retains_only_its_output()
    {
        var p = Measure(nn.Linear(D, D), isBatch: true);

        Assert.Equal(T, p.OutputBytes);
        AssertTensors(1, p.RetainedBytes);
    }

    [Fact]
    public void Given_a_GELU_stage_When_its_backward_runs_Then_its_saved_input_pays_for_the_input_gradient()
    {
        var p = Measure(nn.GELU());

        // The chain released the input handle, so only GELU's saved copy held it: the backward frees it (T) and
        // creates the input gradient (T).
        Assert.InRange(p.BackwardFreedBytes, -(PerTensorRounding + Bookkeeping), PerTensorRounding + Bookkeeping);
    }

    [Fact]
    public void Given_a_Linear_GELU_block_When_its_backward_runs_Then_it_frees_its_input_and_hidden_activation_less_the_input_gradient()
    {
        var p = Measure(nn.Sequential(nn.Linear(D, D), nn.GELU()));

        // Only autograd held the input (saved by Linear) and the Linear output (saved by GELU): 2T freed, T created.
        Assert.InRange(p.BackwardFreedBytes, T - Bookkeeping, T + 2 * PerTensorRounding + Bookkeeping);
    }

    [Fact]
    public void Given_the_last_stage_with_its_loss_When_profiled_Then_what_the_loss_saves_is_retained_by_the_stage()
    {
        using var labels = randint(0, D, [B], dtype: int64);
        var stage = nn.Linear(D, D);
        var alone = Measure(stage);
        var withLoss = Measure(stage, loss: logits => nn.functional.cross_entropy(logits, labels));

        // Cross-entropy saves its log-softmax (one B x D activation) for the backward; the loss itself is a scalar.
        Assert.Equal(alone.OutputBytes, withLoss.OutputBytes);
        Assert.InRange(withLoss.RetainedBytes - alone.RetainedBytes, T - PerTensorRounding, T + PerTensorRounding + Bookkeeping);
    }
}
