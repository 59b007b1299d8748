using System.Runtime.InteropServices;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Memory;
using TorchSharp;
using Xunit;

namespace AutoCkpt.Runtime.Tests.Memory;

public sealed class MemoryProbeTests
{
    private const long Bytes = 32L * 1024 * 1024;

    [Fact]
    public void Given_the_cpu_device_When_a_probe_is_chosen_Then_it_reads_a_known_allocation()
    {
        var probe = MemoryProbes.For(torch.CPU);
        SettleFinalizers();
        long before = probe.LiveBytes();
        using var t = torch.ones(Bytes / 4, torch.float32);

        Assert.IsType<CpuMemoryProbe>(probe);
        Assert.InRange(probe.LiveBytes() - before, Bytes * 0.99, Bytes * 1.01);
    }

    [Fact]
    public void Given_the_cpu_device_When_a_known_block_is_freed_Then_the_peak_still_holds_it()
    {
        var probe = MemoryProbes.For(torch.CPU);
        SettleFinalizers();
        probe.ResetPeak();
        long before = probe.LiveBytes();
        using (torch.ones(Bytes / 4, torch.float32)) { }

        Assert.InRange(probe.PeakBytes() - before, Bytes * 0.97, Bytes * 1.05);
    }

    [Fact]
    public void Given_this_machine_When_a_cuda_probe_is_opened_Then_it_reads_a_known_allocation_or_says_why_it_cannot()
    {
        bool driver = NativeLibrary.TryLoad("libcuda.so.1", out _);
        bool pool = CudaMemoryProbe.UsesAsyncAllocator(Environment.GetEnvironmentVariable("PYTORCH_CUDA_ALLOC_CONF"));
        if (!driver || !pool || !torch.cuda.is_available())
        {
            var e = Assert.Throws<AckptException>(() => new CudaMemoryProbe());
            Assert.Equal(ErrorCodes.CudaUnavailable, e.Code);
            Assert.Contains(!driver ? "libcuda.so.1" : "PYTORCH_CUDA_ALLOC_CONF", e.Message);
            return;
        }
        var probe = new CudaMemoryProbe();
        long before = probe.LiveBytes();
        using var t = torch.ones(Bytes / 4, torch.float32, device: torch.CUDA);
        torch.cuda.synchronize(torch.CUDA);
        Assert.InRange(probe.LiveBytes() - before, Bytes, Bytes * 1.01);
        Assert.NotEmpty(probe.DeviceName);
    }

    // Tensors other tests left to the garbage collector free their memory in finalizers: not during a reading.
    private static void SettleFinalizers()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    [Theory]
    [InlineData("backend:cudaMallocAsync", true)]
    [InlineData("expandable_segments:True, backend:cudaMallocAsync", true)]
    [InlineData("backend:native", false)]
    [InlineData(null, false)]
    public void Given_an_allocator_setting_When_read_Then_only_cudaMallocAsync_selects_the_pool(string? conf, bool expected) =>
        Assert.Equal(expected, CudaMemoryProbe.UsesAsyncAllocator(conf));
}
