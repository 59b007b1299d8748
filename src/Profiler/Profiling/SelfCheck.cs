using System.Globalization;
using AutoCkpt.Formats;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// Compares a profile's stage sums with its whole-model measurements: Σ retained bytes against the live bytes after
/// one whole forward (tolerance 5%), Σ (forward + backward) seconds against one whole step (tolerance 15%).
/// </summary>
public static class SelfCheck
{
    /// <summary>The largest relative memory disagreement that passes.</summary>
    public const double MemoryTolerance = 0.05;

    /// <summary>The largest relative time disagreement that passes.</summary>
    public const double TimeTolerance = 0.15;

    /// <summary>|Σ retained − measured| / measured, or null when the profile has no check.</summary>
    public static double? MemoryDisagreement(Profile p) =>
        p.Check is { } c ? Relative(p.Stages.Sum(s => (double)s.RetainedBytes), c.ForwardRetainedBytesMeasured) : null;

    /// <summary>|Σ (forward + backward) − measured step| / measured step, or null when the profile has no check.</summary>
    public static double? TimeDisagreement(Profile p) =>
        p.Check is { } c ? Relative(p.Stages.Sum(s => s.ForwardSeconds + s.BackwardSeconds), c.StepSecondsMeasured) : null;

    /// <summary>The ACKPT031 warnings for <paramref name="p"/>: none when both sums agree within tolerance.</summary>
    public static IReadOnlyList<AckptException> Warnings(Profile p)
    {
        var warnings = new List<AckptException>();
        if (MemoryDisagreement(p) is { } m && m > MemoryTolerance)
            warnings.Add(new AckptException(ErrorCodes.ProfileSelfCheck,
                $"the stages' retained bytes sum to {MemoryCap.Format(p.Stages.Sum(s => s.RetainedBytes))} but one whole forward of the model " +
                $"retained {MemoryCap.Format(p.Check!.ForwardRetainedBytesMeasured)} ({Percent(m)} apart, tolerance {Percent(MemoryTolerance)}). " +
                "A model whose forward disposes stage outputs the next stage does not keep (a Sequential does) holds less than the sum."));
        if (TimeDisagreement(p) is { } t && t > TimeTolerance)
            warnings.Add(new AckptException(ErrorCodes.ProfileSelfCheck,
                $"the stages' forward and backward times sum to {Ms(p.Stages.Sum(s => s.ForwardSeconds + s.BackwardSeconds))} but one whole step " +
                $"took {Ms(p.Check!.StepSecondsMeasured)} ({Percent(t)} apart, tolerance {Percent(TimeTolerance)}). " +
                "Timings this short or this noisy need more --repeats or a larger --batch-size."));
        return warnings;
    }

    private static double Relative(double sum, double measured) =>
        measured == 0 ? (sum == 0 ? 0 : double.PositiveInfinity) : Math.Abs(sum - measured) / measured;

    private static string Percent(double x) => (x * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Ms(double seconds) => (seconds * 1000).ToString("0.###", CultureInfo.InvariantCulture) + " ms";
}
