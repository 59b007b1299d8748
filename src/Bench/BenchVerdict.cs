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
        foreach (var row in report.Rows.Where(r => r.MaxGradRelDiff > tolerance))
            failures.Add(F($"{row.Strategy}'s gradients differ from no checkpointing's by up to {row.MaxGradRelDiff:0.###e+0} (relative; tolerance {tolerance:0.###e+0})."));
        return failures;
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
