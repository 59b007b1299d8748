using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;

namespace AutoCkpt.Formats.Bench;

/// <summary>A strategy for the bench to run: a name ("none", "tidy", "every_stage", "uniform_k", "plan") and its segments.</summary>
/// <param name="Name">The name the bench reports it under.</param>
/// <param name="Segments">The segments, covering every stage once; "none" is run on the plain model.</param>
public sealed record BenchStrategy(string Name, IReadOnlyList<Segment> Segments)
{
    /// <summary>Per stage: whether it runs tidy where kept. Empty: none does.</summary>
    public IReadOnlyList<bool> Tidy { get; init; } = [];
}

/// <summary>A memory reading at a time within one step.</summary>
/// <param name="Seconds">Since the step started.</param>
/// <param name="Bytes">Live bytes on the step's scale: fixed bytes plus what the step holds.</param>
public readonly record struct MemorySample(double Seconds, long Bytes);

/// <summary>What the bench measured for one strategy, in bytes and seconds.</summary>
/// <param name="Name">The strategy's name.</param>
/// <param name="Segments">The segments run.</param>
/// <param name="PeakBytes">The largest step peak over the timed steps, on the same scale as a profile's prediction: fixed bytes plus the step's rise.</param>
/// <param name="MedianStepSeconds">Median forward + backward + step-scope disposal time over the timed steps.</param>
/// <param name="StepSeconds">Every timed step's forward + backward + disposal time, in the order run.</param>
/// <param name="StepPeakBytes">Every timed step's peak, in the order run.</param>
/// <param name="MaxGradRelDiff">Over all parameters, max |g − g_none| / max |g_none| after one step on the same batch and seed.</param>
/// <param name="Trace">Live bytes sampled during one extra step.</param>
public sealed record StrategyMeasurement(
    string Name,
    IReadOnlyList<Segment> Segments,
    long PeakBytes,
    double MedianStepSeconds,
    IReadOnlyList<double> StepSeconds,
    IReadOnlyList<long> StepPeakBytes,
    double MaxGradRelDiff,
    IReadOnlyList<MemorySample> Trace)
{
    /// <summary>Per stage: whether it ran tidy where kept (the strategy's <see cref="BenchStrategy.Tidy"/>). Empty: none did.</summary>
    public IReadOnlyList<bool> Tidy { get; init; } = [];
}

/// <summary>One bench run's measurements: every strategy run in the same process, steps interleaved.</summary>
/// <param name="Target">The ICheckpointTarget's name.</param>
/// <param name="Device">The device measured on.</param>
/// <param name="BatchSize">Samples per step.</param>
/// <param name="Steps">Timed steps per strategy.</param>
/// <param name="FixedBytes">Parameters, buffers, gradients, optimizer state and batch, measured as the profiler does: the base every step's peak is reported on.</param>
/// <param name="Strategies">One measurement per strategy, in the order asked for.</param>
/// <param name="Losses">The training loss of each timed round, of the last strategy asked for (the plan).</param>
public sealed record BenchMeasurement(
    string Target,
    DeviceInfo Device,
    int BatchSize,
    int Steps,
    long FixedBytes,
    IReadOnlyList<StrategyMeasurement> Strategies,
    IReadOnlyList<double> Losses);
