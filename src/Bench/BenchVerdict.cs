using System.Globalization;
using AutoCkpt.Bench.Report;
using AutoCkpt.Formats.Options;

namespace AutoCkpt.Bench;

/// <summary>
/// What a bench run must show: the plan fits its cap and its prediction, no strategy changes the gradients, and over
/// the plan's sweep of caps the optimal plan is predicted at or below the best baseline.
/// </summary>
public static class BenchVerdict
{
    /// <summary>How far a plan's measured peak may be from its predicted peak, as a fraction.</summary>
    public const double PeakTolerance = 0.05;

    /// <summary>
    /// The largest relative gradient difference allowed: 0 on the CPU, where recomputation repeats the same
    /// arithmetic and must give identical gradients; float32 round-off on CUDA, whose kernels may reorder sums.
    /// </summary>
    public static double GradientTolerance(string deviceType) => deviceType == "cpu" ? 0 : 1e-4;

    /// <summary>Sentences, one per failure; empty when the run shows what it must.</summary>
    public static IReadOnlyList<string> Failures(BenchReport report)
    {
        var failures = new List<string>();
        if (report.Row("plan") is { } plan)
        {
            if (!plan.FitsCap)
                failures.Add(F($"The plan's measured peak {MemoryCap.Format(plan.MeasuredPeakBytes)} is over its cap {MemoryCap.Format(report.CapBytes)}."));
            if (Math.Abs(plan.PeakError) > PeakTolerance)
                failures.Add(F($"The plan's measured peak {MemoryCap.Format(plan.MeasuredPeakBytes)} is {plan.PeakError:+0.0%;-0.0%} off its predicted {MemoryCap.Format(plan.PredictedPeakBytes)} (tolerance {PeakTolerance:0%})."));
        }
        foreach (var p in report.Sweep.Where(p => p.BaselineOverhead is { } b && p.PlanOverhead > b + 1e-9))
            failures.Add(F($"At the cap {MemoryCap.Format(p.CapBytes)} the plan's predicted overhead {p.PlanOverhead:+0.0%} is above {p.BaselineName}'s {p.BaselineOverhead:+0.0%}."));
        double tolerance = GradientTolerance(report.Device.Type);
        var others = report.Rows.Where(r => r.Strategy != "none" && r.MaxGradRelDiff > tolerance).ToList();
        if (report.Row("none") is { } none && none.MaxGradRelDiff > tolerance)
            // The reference itself moved between two identical steps: the strategies' differences say nothing about checkpointing.
            failures.Add(F($"No checkpointing's own gradients differ between two identical steps (same weights, batch and seed) by up to {Diff(none.MaxGradRelDiff)} (relative; tolerance {tolerance:0.###e+0}): the model or the device's kernels are not reproducible here, so the gradient check cannot judge the strategies{(others.Count == 0 ? "" : F($" (their differences, not judged: {string.Join(", ", others.Select(r => F($"{r.Strategy} {Diff(r.MaxGradRelDiff)}")))})"))}. Find the non-deterministic or faulty operation before trusting any gradient on this device (docs/reliability.md, \"Gradients that are not reproducible\")."));
        else
            foreach (var row in others)
                failures.Add(F($"{row.Strategy}'s gradients differ from no checkpointing's by up to {Diff(row.MaxGradRelDiff)} (relative; tolerance {tolerance:0.###e+0})."));
        return failures;
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>A relative gradient difference as reports print it; +∞ (a NaN or an infinity in a gradient) as "non-finite".</summary>
    public static string Diff(double d) => double.IsFinite(d) ? d.ToString("0.###e+0", CultureInfo.InvariantCulture) : "∞ (a NaN or an infinity in a gradient)";
}
