using AutoCkpt.Memory;

namespace AutoCkpt.Profiler.Tests.Fakes;

/// <summary>A memory probe over pretend allocations: Allocate and Free move live bytes and the peak.</summary>
internal sealed class FakeProbe : IMemoryProbe
{
    private long _live;
    private long _peak;

    public string DeviceType => "fake";

    public int Resets { get; private set; }

    public long LiveBytes() => _live;

    public void ResetPeak()
    {
        _peak = _live;
        Resets++;
    }

    public long PeakBytes() => _peak;

    public void Allocate(long bytes)
    {
        _live += bytes;
        _peak = Math.Max(_peak, _live);
    }

    public void Free(long bytes) => _live -= bytes;
}
