using System.Runtime.InteropServices;

namespace AutoCkpt.Memory;

/// <summary>
/// Holds the calling thread's malloc arena's free regions of 16 KiB and more, so that malloc must map fresh memory for
/// large blocks instead of reusing resident freed pages, which would not raise the resident-set size. glibc serves a
/// request from a free heap region (or the arena's top) that fits before it mmaps, so a large tensor can otherwise land
/// on pages that are already resident. A plug is a block malloc served from such a region: it is kept until the next
/// <see cref="Renew"/>, and its bytes are left out of the probe's live bytes. Small free regions stay usable, so small
/// objects (autograd nodes, tensor headers) reuse resident pages as they would without the probe. Process-wide.
/// </summary>
internal static class HeapPlugs
{
    /// <summary>Plug request sizes, largest first; the last is the mmap threshold the probe sets, less the chunk header.</summary>
    private static readonly nuint[] Sizes = [(1u << 20) - 8, (1u << 16) - 8, CpuMemoryProbe.MmapThresholdBytes - 8];

    private const nuint MmappedBit = 2;
    private static readonly object Gate = new();
    private static readonly List<nint> Held = [];
    private static long _bytes;

    /// <summary>Bytes the plugs hold, as malloc counts them (whole chunks).</summary>
    public static long Bytes
    {
        get { lock (Gate) return _bytes; }
    }

    /// <summary>Frees the plugs held, then takes every region of 16 KiB or more that malloc serves from the heap.</summary>
    public static void Renew()
    {
        lock (Gate)
        {
            foreach (var p in Held) free(p);
            Held.Clear();
            _bytes = 0;
            foreach (var size in Sizes)
                TakeAll(size);
        }
    }

    private static void TakeAll(nuint size)
    {
        while (true)
        {
            nint p = malloc(size);
            if (p == 0) return;
            nuint header = (nuint)Marshal.ReadIntPtr(p - IntPtr.Size);
            if ((header & MmappedBit) != 0)
            {
                free(p);
                return;
            }
            Held.Add(p);
            _bytes += (long)(header & ~(nuint)7);
        }
    }

    [DllImport("libc", EntryPoint = "malloc")]
    private static extern nint malloc(nuint size);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void free(nint p);
}
