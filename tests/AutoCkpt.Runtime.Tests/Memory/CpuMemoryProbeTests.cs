using AutoCkpt.Memory;
using TorchSharp;
using Xunit;

namespace AutoCkpt.Runtime.Tests.Memory;

[Collection(MemoryCollection.Name)]
public sealed class CpuMemoryProbeTests
{
    private const long Bytes = 64L * 1024 * 1024;

    [Fact]
    public void Given_a_known_allocation_When_live_bytes_are_read_Then_they_grow_by_its_size()
    {
        var probe = new CpuMemoryProbe();
        WarmUp();
        long before = probe.LiveBytes();
        using var t = torch.zeros(Bytes / 4, torch.float32);
        long grown = probe.LiveBytes() - before;
        Assert.InRange(grown, Bytes * 0.99, Bytes * 1.02);
    }

    [Fact]
    public void Given_a_freed_allocation_When_the_peak_is_read_Then_it_includes_the_freed_block()
    {
        var probe = new CpuMemoryProbe();
        WarmUp();
        probe.ResetPeak();
        long before = probe.LiveBytes();
        using (var t = torch.ones(Bytes / 4, torch.float32)) { }
        long after = probe.LiveBytes();
        long peakRise = probe.PeakBytes() - before;
        Assert.InRange(after - before, -Bytes * 0.01, Bytes * 0.01);
        Assert.InRange(peakRise, Bytes * 0.97, Bytes * 1.10);
    }

    [Fact]
    public void Given_a_large_block_served_from_freed_heap_pages_When_the_peak_is_read_Then_it_includes_it()
    {
        // Small blocks come from the malloc heap. Freed together below a block still in use, they coalesce into a
        // free region the heap keeps resident; malloc then serves a large request from it instead of mmap, and RSS
        // does not rise, unless the probe hands free pages back to the OS when it resets.
        const int SmallBlocks = 512;
        const long SmallFloats = 4096; // 16 KiB
        const long LargeFloats = SmallBlocks * SmallFloats / 2;
        var probe = new CpuMemoryProbe();
        var small = Enumerable.Range(0, SmallBlocks).Select(_ => torch.ones(SmallFloats, torch.float32)).ToList();
        using var guard = torch.ones(SmallFloats, torch.float32);
        foreach (var t in small) t.Dispose();
        probe.ResetPeak();
        long before = probe.LiveBytes();
        using (torch.ones(LargeFloats, torch.float32)) { }
        long peakRise = probe.PeakBytes() - before;
        Assert.InRange(peakRise, LargeFloats * 4 * 0.9, LargeFloats * 4 * 1.2);
    }

    /// <summary>Runs the fills once first: their first run allocates once-only native state (thread pool, arenas).</summary>
    private static void WarmUp()
    {
        using (torch.zeros(Bytes / 4, torch.float32)) { }
        using (torch.ones(Bytes / 4, torch.float32)) { }
        MemoryCollection.Settle();
    }
}
