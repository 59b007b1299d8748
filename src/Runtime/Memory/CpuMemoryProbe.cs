using System.Runtime.InteropServices;

namespace AutoCkpt.Memory;

/// <summary>
/// CPU memory through glibc: live bytes from <c>mallinfo2()</c> (uordblks + hblkhd), the peak from the process's
/// mapped-bytes high-water mark (<see cref="VmHighWater"/>). The constructor sets the mmap threshold to 16 KiB
/// (mallopt), as <c>MALLOC_MMAP_THRESHOLD_=16384</c> would, and <see cref="ResetPeak"/> first plugs the free heap regions
/// of 16 KiB and more (<see cref="HeapPlugs"/>): malloc serves large blocks from freed heap regions before it mmaps, so
/// without the plugs a large tensor could land on memory already mapped. Every block of 16 KiB and more is then a
/// mapping of its own, made when it is allocated and removed when it is freed, and the peak is the mapped total's rise
/// since the reset added to the live bytes at the reset: exact for large blocks, whether their pages were touched or not
/// (the scale of the live bytes, and of a GPU's allocator). Small blocks count where they grow the heap; the space they
/// free after a reset stays mapped and can take a larger block unseen, which the low threshold keeps to small blocks.
/// The resident-set mark (<c>VmHWM</c>, reset through <c>/proc/self/clear_refs</c>) read before it, and is the fallback
/// where the mark's ballast cannot be mapped: the kernel's resident-page counters are per-CPU approximations, which
/// read a stage's backward 0 to 450 KB under (varying per process), and pages a kernel allocates but never touches
/// (a 10 MiB LSTM workspace) do not count there at all: suite-recurrent's every_stage read 28% under its prediction
/// (docs/benchmarks.md, "Accuracy suite"). Live bytes leave the plugs out. Linux with glibc only.
/// </summary>
public sealed class CpuMemoryProbe : IMemoryProbe
{
    /// <summary>
    /// glibc's mmap threshold while the probe is in use. 64 KiB left a recurrent model's per-timestep tensors (a 32×256
    /// float state is 32 KiB) in the heap: freed after a reset, their space stayed mapped, and the mark counted it again
    /// under the next mapped blocks (suite-recurrent's recomputed GRU read up to 0.97 MB high, in some steps and not in
    /// others; docs/benchmarks.md, "Tensors held by two").
    /// </summary>
    internal const int MmapThresholdBytes = 16384;
    private const int MTopPad = -2;
    private const int MMmapThreshold = -3;
    private long _liveAtReset;
    private long _rssAtReset;
    private bool _mapped;

    /// <summary>
    /// Fixes the mmap threshold so that freed tensors go back to the OS, and sets malloc's top pad to 0: by default the
    /// main heap grows by what a small block needs plus 128 KiB, so whether a step's small blocks (autograd nodes,
    /// tensor headers) happened to cross the heap's end read as a rise of 0 or about 140 KB in the mapped-bytes mark
    /// (suite-inplace's every_stage: 69 steps in 480; docs/benchmarks.md, "Accuracy suite"). With no pad the heap grows
    /// by the pages the blocks use.
    /// </summary>
    public CpuMemoryProbe()
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("CpuMemoryProbe needs Linux with glibc (mallinfo2, /proc/self).");
        mallopt(MMmapThreshold, MmapThresholdBytes);
        mallopt(MTopPad, 0);
        ResetPeak();
    }

    /// <inheritdoc />
    public string DeviceType => "cpu";

    /// <inheritdoc />
    public long LiveBytes()
    {
        var info = mallinfo2();
        return (long)(info.uordblks + info.hblkhd) - HeapPlugs.Bytes;
    }

    /// <inheritdoc />
    public void ResetPeak()
    {
        HeapPlugs.Renew();
        _mapped = VmHighWater.Reset();
        File.WriteAllText("/proc/self/clear_refs", "5");
        _liveAtReset = LiveBytes();
        _rssAtReset = ReadStatusKb("VmHWM:") * 1024;
    }

    /// <inheritdoc />
    public long PeakBytes()
    {
        if (_mapped) return Math.Max(LiveBytes(), _liveAtReset + VmHighWater.Rise());
        long hwm = ReadStatusKb("VmHWM:") * 1024;
        return Math.Max(LiveBytes(), _liveAtReset + Math.Max(0, hwm - _rssAtReset));
    }

    private static long ReadStatusKb(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line.AsSpan(key.Length).Trim().TrimEnd("kB").Trim());
        throw new InvalidOperationException($"/proc/self/status has no {key}");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallInfo2 mallinfo2();

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int param, int value);
}
