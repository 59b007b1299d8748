using AutoCkpt.Formats.Bench;
using AutoCkpt.Profiler.Measuring;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Benchmarking;

/// <summary>One strategy's module and what has been measured of it so far.</summary>
internal sealed class StrategyRun(BenchStrategy strategy, nn.Module<Tensor, Tensor> module)
{
    private readonly List<double> _seconds = [];
    private readonly List<long> _peaks = [];

    public BenchStrategy Strategy { get; } = strategy;
    public nn.Module<Tensor, Tensor> Module { get; } = module;
    public double MaxGradRelDiff { get; set; }
    public IReadOnlyList<MemorySample> Trace { get; set; } = [];

    public void Add(double seconds, long peakBytes)
    {
        _seconds.Add(seconds);
        _peaks.Add(peakBytes);
    }

    public StrategyMeasurement ToMeasurement() =>
        new(Strategy.Name, Strategy.Segments, _peaks.Max(), Median.Of(_seconds), [.. _seconds], [.. _peaks], MaxGradRelDiff, Trace) { Tidy = Strategy.Tidy };
}
