namespace AutoCkpt.Profiler.Tests.Fakes;

/// <summary>A clock that moves only when told; one tick is one microsecond.</summary>
internal sealed class FakeClock : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => 1_000_000;

    public override long GetTimestamp() => _ticks;

    public void Advance(double seconds) => _ticks += (long)Math.Round(seconds * TimestampFrequency);
}
