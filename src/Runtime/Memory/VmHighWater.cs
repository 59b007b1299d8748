using System.Runtime.InteropServices;

namespace AutoCkpt.Memory;

/// <summary>
/// A resettable high-water mark of the process's mapped bytes (Linux): the kernel keeps <c>VmPeak</c>, the highest
/// total of mapped pages, exactly (it is updated under the mmap lock before each unmap lowers the total), but it cannot
/// be reset. <see cref="Reset"/> maps a ballast of inaccessible, unreserved address space (no memory behind it) that
/// lifts the current total up to the old peak; from then on the peak rises exactly as far as the mapped total goes
/// above that. glibc maps every block of the mmap threshold and more (with <see cref="HeapPlugs"/> holding the heap's
/// large free regions) and unmaps it when freed, so the rise covers every large tensor, in full, whether its pages
/// were touched or not, as <c>mallinfo2</c>'s live bytes count them. The resident-set mark (<c>VmHWM</c>) did not: its
/// counters are per-CPU approximations (up to about 32 pages per CPU adrift: 0 to 450 KB under in a stage's backward,
/// varying per process), and pages a kernel never touches (a 10 MiB LSTM workspace) do not count. Process-wide.
/// </summary>
internal static class VmHighWater
{
    private const int ProtNone = 0;
    private const int MapPrivate = 0x02, MapAnonymous = 0x20, MapNoReserve = 0x4000;
    private static readonly object Gate = new();
    private static nint _ballast;
    private static nuint _ballastBytes;
    private static long _baseline;

    /// <summary>Starts a new mark; false when the ballast could not be mapped (the mark is then unusable).</summary>
    public static bool Reset()
    {
        lock (Gate)
        {
            Release();
            var (peak, size) = Read();
            long gap = peak - size;
            if (gap > 0)
            {
                nint p = mmap(0, (nuint)gap, ProtNone, MapPrivate | MapAnonymous | MapNoReserve, -1, 0);
                if (p == -1) return false;
                _ballast = p;
                _ballastBytes = (nuint)gap;
            }
            _baseline = Read().Peak;
            return true;
        }
    }

    /// <summary>How far the mapped total has risen above its level at <see cref="Reset"/>, in bytes.</summary>
    public static long Rise()
    {
        lock (Gate) return Math.Max(0, Read().Peak - _baseline);
    }

    private static void Release()
    {
        if (_ballast == 0) return;
        munmap(_ballast, _ballastBytes);
        _ballast = 0;
        _ballastBytes = 0;
    }

    private static (long Peak, long Size) Read()
    {
        long peak = -1, size = -1;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmPeak:", StringComparison.Ordinal)) peak = Kb(line, 7);
            else if (line.StartsWith("VmSize:", StringComparison.Ordinal)) size = Kb(line, 7);
            if (peak >= 0 && size >= 0) return (peak, size);
        }
        throw new InvalidOperationException("/proc/self/status has no VmPeak or VmSize.");
    }

    private static long Kb(string line, int at) => long.Parse(line.AsSpan(at).Trim().TrimEnd("kB").Trim()) * 1024;

    [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static extern nint mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

    [DllImport("libc", EntryPoint = "munmap")]
    private static extern int munmap(nint addr, nuint length);
}
