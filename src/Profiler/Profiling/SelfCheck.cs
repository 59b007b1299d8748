using System.Globalization;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Profiles;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// Compares a profile's stage sums with its whole-model measurements: Σ (retained − input freed) bytes against the
/// live bytes after one whole forward of the stage chain (tolerance 5%), Σ (forward + backward) seconds against one
/// whole step (tolerance 15%, or the run's own timing noise where that is larger: docs/profiler.md, "ACKPT031").
/// </summary>
/// <remarks>
/// Why the time side widens with noise: a plan depends on the stages' times only through which recomputed set costs
/// least, so a factor common to every stage (a machine busier while the stages ran than during the whole steps) never
/// changes it. What does is an error that does not scale alike, a stage whose time depends on what ran before it or a
/// fixed cost per pass: it repeats in every pass and so shows as a gap beyond the scatter of the run's own timings.
/// A gap within that scatter is noise, which more repeats average, not a threat to the plan. Bytes decide whether a
/// plan fits its cap, so the memory side stays at 5% whatever the timings do.
/// </remarks>
public static class SelfCheck
{
    /// <summary>The largest relative memory disagreement that passes.</summary>
    public const double MemoryTolerance = 0.05;

    /// <summary>The largest relative time disagreement that passes.</summary>
    public const double TimeTolerance = 0.15;

    /// <summary>
    /// What the stages say one whole forward keeps: Σ (retained − input freed), in bytes, where an input the model's
    /// forward holds (<c>input_held_bytes</c>) frees nothing: units in place are checked against the model's own forward.
    /// </summary>
    public static long ForwardRetainedBytes(Profile p) =>
        p.Stages.Sum(s => s.RetainedBytes - (s.InputFreedBytes - Math.Min(s.InputFreedBytes, Math.Max(0, s.InputHeldBytes))));

    /// <summary>|Σ (retained − input freed) − measured| / measured, or null when the profile has no check.</summary>
    public static double? MemoryDisagreement(Profile p) =>
        p.Check is { } c ? Relative(ForwardRetainedBytes(p), c.ForwardRetainedBytesMeasured) : null;

    /// <summary>|Σ (forward + backward) − measured step| / measured step, or null when the profile has no check.</summary>
    public static double? TimeDisagreement(Profile p) =>
        p.Check is { } c ? Relative(p.Stages.Sum(s => s.ForwardSeconds + s.BackwardSeconds), c.StepSecondsMeasured) : null;

    /// <summary>
    /// The relative timing noise the profile records: the whole steps' spread over their median plus the stages'
    /// summed spreads over Σ (forward + backward); 0 when it records none (profiles written before it).
    /// </summary>
    public static double TimeNoise(Profile p)
    {
        if (p.Check is not { } c) return 0;
        double sum = p.Stages.Sum(s => s.ForwardSeconds + s.BackwardSeconds);
        double step = c.StepSecondsMeasured > 0 && c.StepSecondsSpread is { } ss ? ss / c.StepSecondsMeasured : 0;
        double stages = sum > 0 && c.StageSecondsSpread is { } st ? st / sum : 0;
        return step + stages;
    }

    /// <summary>The time disagreement that passes for <paramref name="p"/>: <see cref="TimeTolerance"/> or its <see cref="TimeNoise"/>, the larger.</summary>
    public static double TimeToleranceOf(Profile p) => Math.Max(TimeTolerance, TimeNoise(p));

    /// <summary>
    /// The ACKPT031 warnings for <paramref name="p"/>: none when both sums agree within tolerance. Without
    /// <paramref name="time"/>, memory only (a profile from an app's own step, whose measured step includes its
    /// optimizer step).
    /// </summary>
    public static IReadOnlyList<AckptException> Warnings(Profile p, bool time = true)
    {
        var warnings = new List<AckptException>();
        if (MemoryDisagreement(p) is { } m && m > MemoryTolerance)
            warnings.Add(new AckptException(ErrorCodes.ProfileSelfCheck,
                $"the stages' retained bytes (less what their inputs free) sum to {MemoryCap.Format(ForwardRetainedBytes(p))} but one whole forward " +
                $"of the stages retained {MemoryCap.Format(p.Check!.ForwardRetainedBytesMeasured)} ({Percent(m)} apart, tolerance {Percent(MemoryTolerance)}). " +
                "A stage whose memory depends on what ran before it (caches, lazily created buffers) does not add up."));
        if (time && TimeDisagreement(p) is { } t && t > TimeToleranceOf(p))
            warnings.Add(new AckptException(ErrorCodes.ProfileSelfCheck,
                $"the stages' forward and backward times sum to {Ms(p.Stages.Sum(s => s.ForwardSeconds + s.BackwardSeconds))} but one whole step " +
                $"took {Ms(p.Check!.StepSecondsMeasured)} ({Percent(t)} apart, more than {Percent(TimeTolerance)} and more than this run's own timing noise, {Percent(TimeNoise(p))}). " +
                "A gap the noise does not explain may change which stages the plan recomputes: a stage whose time depends on what ran before it, " +
                "or a fixed cost per pass that weighs on short stages. Profile again with more --repeats or a larger --batch-size; if it stays, the stage times do not add up."));
        return warnings;
    }

    private static double Relative(double sum, double measured) =>
        measured == 0 ? (sum == 0 ? 0 : double.PositiveInfinity) : Math.Abs(sum - measured) / measured;

    private static string Percent(double x) => (x * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Ms(double seconds) => (seconds * 1000).ToString("0.###", CultureInfo.InvariantCulture) + " ms";
}
