using System.Runtime.InteropServices;

namespace AutoCkpt.Memory;

/// <summary>
/// CPU memory through glibc: live bytes from <c>mallinfo2()</c> (uordblks + hblkhd), peak bytes from the RSS
/// high-water mark (<c>VmHWM</c>, reset by writing 5 to <c>/proc/self/clear_refs</c>). The peak only sees frees if
/// freed blocks return to the OS, so the constructor sets the mmap threshold to 64 KiB (mallopt), as
/// <c>MALLOC_MMAP_THRESHOLD_=65536</c> would, and <see cref="ResetPeak"/> first plugs the free heap regions of 64 KiB
/// and more (<see cref="HeapPlugs"/>): malloc serves large blocks from freed heap regions before it mmaps, and blocks
/// on pages that are still resident would not raise RSS. It does not hand free pages back to the OS
/// (<c>malloc_trim</c>): small blocks allocated after that land on the freed pages and fault them back in a page at
/// a time, which read 1.4-4 MiB above the live bytes in a ResNet step. The peak is reported on the live scale: the RSS
/// rise since the reset added to the live bytes at the reset. Live bytes leave the plugs out. Linux with glibc only.
/// </summary>
public sealed class CpuMemoryProbe : IMemoryProbe
{
    private const int MMmapThreshold = -3;
    private long _liveAtReset;
    private long _rssAtReset;

    /// <summary>Fixes the mmap threshold so that freed tensors go back to the OS.</summary>
    public CpuMemoryProbe()
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("CpuMemoryProbe needs Linux with glibc (mallinfo2, /proc/self).");
        mallopt(MMmapThreshold, 65536);
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
        File.WriteAllText("/proc/self/clear_refs", "5");
        _liveAtReset = LiveBytes();
        _rssAtReset = ReadStatusKb("VmHWM:") * 1024;
    }

    /// <inheritdoc />
    public long PeakBytes()
    {
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
