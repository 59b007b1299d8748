using AutoCkpt.Recompute;
using TorchSharp;
using Xunit;

namespace AutoCkpt.Runtime.Tests.Recompute;

/// <summary>
/// The CUDA generator state needs libtorch_cuda (docs/runtime.md); CI's libtorch is the CPU one. What can be checked
/// here: the runtime sees that the state is out of reach, so a CUDA segment would fall back to per-segment seeds, and
/// nothing on the CPU path touches CUDA. The CUDA path itself runs in perf/gpu/run-on-device.sh.
/// </summary>
public sealed class CudaRngStateTests
{
    [Fact]
    public void Given_a_CPU_only_libtorch_When_the_CUDA_generator_is_looked_up_Then_it_is_unavailable_and_reads_nothing()
    {
        Assert.False(torch.cuda.is_available());
        Assert.False(CudaRngState.Available);
        Assert.Null(CudaRngState.TryGet(new torch.Device("cuda:0")));
    }

    [Fact]
    public void Given_a_CPU_tensor_When_its_random_state_is_captured_and_restored_Then_the_CPU_stream_repeats()
    {
        using var snapshot = RngSnapshot.CaptureNow(torch.CPU);
        using var first = torch.rand(4);
        snapshot.Restore();
        using var again = torch.rand(4);

        Assert.True(first.allclose(again, 0, 0));
    }
}
