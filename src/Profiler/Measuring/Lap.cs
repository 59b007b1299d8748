namespace AutoCkpt.Profiler.Measuring;

/// <summary>A lap of <see cref="Meter.Lap"/>: clock timestamps, live bytes, and the peak since the previous lap.</summary>
/// <param name="End">When the span before it ended (clock ticks).</param>
/// <param name="Start">When the span after it started, after the probe reads (clock ticks).</param>
/// <param name="LiveBytes">Live bytes at the lap.</param>
/// <param name="PeakSincePreviousBytes">The highest live bytes since the previous lap.</param>
public sealed record Lap(long End, long Start, long LiveBytes, long PeakSincePreviousBytes);
