using System.Diagnostics;
using AutoCkpt.Formats.Bench;
using AutoCkpt.Memory;

namespace AutoCkpt.Profiler.Benchmarking;

/// <summary>
/// Reads a probe's live bytes on a background thread, about every <see cref="Interval"/>, while one step runs: the
/// measured curve in the bench's picture. Used only on an extra, untimed step, since sampling takes a core.
/// </summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly IMemoryProbe _probe;
    private readonly long _offset;
    private readonly List<MemorySample> _samples = [];
    private readonly Stopwatch _clock = new();
    private readonly Thread _thread;
    private volatile bool _stop;

    /// <summary>Starts sampling; <paramref name="offsetBytes"/> is subtracted from every reading.</summary>
    public MemorySampler(IMemoryProbe probe, long offsetBytes)
    {
        _probe = probe;
        _offset = offsetBytes;
        _clock.Start();
        Add();
        _thread = new Thread(Loop) { IsBackground = true, Name = "autockpt-bench-sampler" };
        _thread.Start();
    }

    public static TimeSpan Interval { get; } = TimeSpan.FromMilliseconds(0.5);

    /// <summary>Stops sampling and returns the samples, the last one taken now.</summary>
    public IReadOnlyList<MemorySample> Stop()
    {
        _stop = true;
        _thread.Join();
        Add();
        return _samples;
    }

    public void Dispose()
    {
        if (!_stop) Stop();
    }

    private void Loop()
    {
        var next = _clock.Elapsed;
        while (!_stop)
        {
            Add();
            next += Interval;
            var wait = next - _clock.Elapsed;
            if (wait > TimeSpan.Zero) Thread.Sleep(wait);
        }
    }

    private void Add()
    {
        long bytes = _probe.LiveBytes() - _offset;
        lock (_samples) _samples.Add(new MemorySample(_clock.Elapsed.TotalSeconds, bytes));
    }
}
