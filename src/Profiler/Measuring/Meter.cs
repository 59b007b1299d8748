using AutoCkpt.Memory;

namespace AutoCkpt.Profiler.Measuring;

/// <summary>
/// Measures an action's time and memory on one device: synchronise, read live bytes, reset the peak, start the
/// clock, run, synchronise, stop the clock, read live and peak. Probe reads stay outside the timed span. The
/// profiler measures stages with it and the benchmark whole training steps; the clock, probe and synchronisation
/// are passed in, so tests can use fakes.
/// </summary>
public sealed class Meter
{
    private readonly TimeProvider _clock;
    private readonly Action _synchronize;

    /// <summary>Creates a meter.</summary>
    /// <param name="probe">The device's memory probe.</param>
    /// <param name="clock">The clock; <see cref="TimeProvider.System"/> in real runs.</param>
    /// <param name="synchronize">Waits for queued device work (CUDA); null for none (CPU).</param>
    public Meter(IMemoryProbe probe, TimeProvider clock, Action? synchronize = null)
    {
        Probe = probe;
        _clock = clock;
        _synchronize = synchronize ?? (() => { });
    }

    /// <summary>The memory probe this meter reads.</summary>
    public IMemoryProbe Probe { get; }

    /// <summary>Runs <paramref name="action"/> and returns its time and the memory around it.</summary>
    public Reading Measure(Action action)
    {
        _synchronize();
        long before = Probe.LiveBytes();
        Probe.ResetPeak();
        long start = _clock.GetTimestamp();
        action();
        _synchronize();
        long end = _clock.GetTimestamp();
        long after = Probe.LiveBytes();
        long peak = Math.Max(Probe.PeakBytes(), Math.Max(after, before));
        return new Reading(_clock.GetElapsedTime(start, end).TotalSeconds, before, after, peak);
    }

    /// <summary>
    /// A lap of a stopwatch that runs through a real step (the in-place profiler's marks): ends the span before it and
    /// starts the next, with the live bytes here and the peak since the previous lap; probe reads stay outside both
    /// spans. <see cref="Between"/> turns two laps into a <see cref="Reading"/>.
    /// </summary>
    public Lap Lap()
    {
        _synchronize();
        long end = _clock.GetTimestamp();
        long live = Probe.LiveBytes();
        long peak = Probe.PeakBytes();
        Probe.ResetPeak();
        return new Lap(end, _clock.GetTimestamp(), live, peak);
    }

    /// <summary>The span from lap <paramref name="from"/> to a later lap <paramref name="to"/>.</summary>
    public Reading Between(Lap from, Lap to) =>
        new(_clock.GetElapsedTime(from.Start, to.End).TotalSeconds, from.LiveBytes, to.LiveBytes,
            Math.Max(to.PeakSincePreviousBytes, Math.Max(from.LiveBytes, to.LiveBytes)));

    /// <summary>Live bytes now, after queued device work has finished.</summary>
    public long LiveBytes()
    {
        _synchronize();
        return Probe.LiveBytes();
    }

    /// <summary>
    /// The live bytes <paramref name="release"/> frees (a tensor's disposal), read after pending finalizers have run so
    /// that only what it releases counts.
    /// </summary>
    public long FreedBy(Action release)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = LiveBytes();
        release();
        return before - LiveBytes();
    }

    /// <summary>Runs <paramref name="action"/> and returns its device-synchronised wall time in seconds.</summary>
    public double Time(Action action)
    {
        _synchronize();
        long start = _clock.GetTimestamp();
        action();
        _synchronize();
        return _clock.GetElapsedTime(start, _clock.GetTimestamp()).TotalSeconds;
    }
}
