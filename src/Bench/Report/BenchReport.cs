using AutoCkpt.Formats;
using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Plans;

namespace AutoCkpt.Bench.Report;

/// <summary>One strategy measured by the bench. Bytes and seconds; overheads are fractions (0.12 = +12%).</summary>
/// <param name="Strategy">"none", "every_stage", "uniform_k" (named as the plan file's baselines) or "plan".</param>
/// <param name="Segments">The segments run.</param>
/// <param name="FitsCap">Whether <paramref name="MeasuredPeakBytes"/> is at or below the cap.</param>
/// <param name="PredictedPeakBytes">The cost model's step peak for these segments.</param>
/// <param name="MeasuredPeakBytes">The largest step peak measured with the device's memory probe, over the timed steps.</param>
/// <param name="PredictedStepSeconds">The cost model's forward + backward time.</param>
/// <param name="MedianStepSeconds">Median measured forward + backward + step-scope disposal time over the timed steps.</param>
/// <param name="MaxGradRelDiff">Over all parameters, max |g − g_none| / max |g_none|, from one step on the same batch and seed.</param>
public sealed record BenchRow(
    string Strategy,
    IReadOnlyList<Segment> Segments,
    bool FitsCap,
    long PredictedPeakBytes,
    long MeasuredPeakBytes,
    double PredictedStepSeconds,
    double MedianStepSeconds,
    double MaxGradRelDiff)
{
    /// <summary>Measured overhead against no checkpointing: median / median(none) − 1.</summary>
    public double Overhead { get; init; }

    /// <summary>Predicted overhead against no checkpointing.</summary>
    public double PredictedOverhead { get; init; }

    /// <summary>Every timed step's forward + backward + disposal time, one per round, in the order run.</summary>
    public IReadOnlyList<double> StepSeconds { get; init; } = [];

    /// <summary>(measured − predicted) / predicted peak.</summary>
    public double PeakError => PredictedPeakBytes == 0 ? 0 : (double)(MeasuredPeakBytes - PredictedPeakBytes) / PredictedPeakBytes;

    /// <summary>Per stage: whether it ran tidy where kept; empty when none did.</summary>
    public IReadOnlyList<bool> Tidy { get; init; } = [];

    /// <summary>Number of stages that ran tidy (kept and tidy).</summary>
    public int TidyStages => Segments.Where(s => s.Strategy == SegmentStrategy.Keep).Sum(s => Enumerable.Range(s.First, s.Length).Count(i => i < Tidy.Count && Tidy[i]));

    /// <summary>
    /// Per variant strategy that some segment runs (<see cref="SegmentStrategy.IsVariant"/>, e.g. save-matmuls,
    /// docs/selective.md), in the registry's order: its stages.
    /// </summary>
    public IReadOnlyList<(SegmentStrategy Strategy, int Stages)> VariantStages =>
        [.. SegmentStrategy.All.Where(v => v.IsVariant).Select(v => (v, Segments.Where(s => s.Strategy == v).Sum(s => s.Length))).Where(x => x.Item2 > 0)];

    /// <summary>Number of stages this strategy recomputes.</summary>
    public int RecomputedStages => Segments.Where(s => s.Strategy.Recomputes).Sum(s => s.Length);
}

/// <summary>Memory over one step of one strategy: sampled while it ran, and as the cost model predicts it.</summary>
public sealed record MemoryTrace(string Strategy, IReadOnlyList<MemorySample> Measured, IReadOnlyList<MemorySample> Predicted);

/// <summary>One cap of the plan's sweep, as predicted: the optimal plan's overhead and the best baseline's that fits.</summary>
/// <param name="CapBytes">The cap.</param>
/// <param name="PlanOverhead">The optimal plan's predicted overhead against no checkpointing (a fraction).</param>
/// <param name="BaselineName">The fastest baseline (none, every_stage, uniform_k for any k, sqrt_n) that fits, or null.</param>
/// <param name="BaselineOverhead">Its predicted overhead, or null when none fits.</param>
public sealed record SweepRow(long CapBytes, double PlanOverhead, string? BaselineName, double? BaselineOverhead);

/// <summary>Everything one bench run measured.</summary>
/// <param name="Target">The ICheckpointTarget's name.</param>
/// <param name="Device">The device measured on.</param>
/// <param name="BatchSize">Samples per step.</param>
/// <param name="CapBytes">The plan's memory cap.</param>
/// <param name="Steps">Timed steps per strategy.</param>
/// <param name="Rows">One row per strategy, "none" first.</param>
/// <param name="Traces">Memory over a step, one per row.</param>
public sealed record BenchReport(
    string Target,
    DeviceInfo Device,
    int BatchSize,
    long CapBytes,
    int Steps,
    IReadOnlyList<BenchRow> Rows,
    IReadOnlyList<MemoryTrace> Traces)
{
    /// <summary>The plan's sweep over caps (predicted), when the plan has one.</summary>
    public IReadOnlyList<SweepRow> Sweep { get; init; } = [];

    /// <summary>The row named <paramref name="strategy"/>, or null.</summary>
    public BenchRow? Row(string strategy) => Rows.FirstOrDefault(r => r.Strategy == strategy);

    /// <summary>The uniform_k row, or null when no uniform segmentation fits the cap.</summary>
    public BenchRow? Uniform => Rows.FirstOrDefault(r => r.Strategy.StartsWith("uniform_", StringComparison.Ordinal));
}
