using System.Globalization;
using AutoCkpt.Formats.Errors;

namespace AutoCkpt.Formats.Options;

/// <summary>
/// The planner's options as users write them: <c>autockpt plan --solver/--time-limit/--max-segment</c> and the
/// MSBuild properties AutoCkptSolver, AutoCkptTimeLimit and AutoCkptMaxSegment, parsed here for both, so that the
/// build accepts exactly what the command line accepts. Each parser names the option as the caller gives it and throws
/// <see cref="AckptException"/> (ACKPT044) on a bad value.
/// </summary>
public static class PlannerOptionText
{
    /// <summary>The solvers, as <c>--solver</c> names them.</summary>
    public static readonly IReadOnlyList<string> Solvers = ["auto", "mip", "cpsat", "exact"];

    /// <summary>The longest time limit, in seconds: one week (a TimeSpan holds up to about 29,000 years).</summary>
    public const double MaxTimeLimitSeconds = 7 * 24 * 3600;

    /// <summary>The solver's name, one of <see cref="Solvers"/>; "auto" when <paramref name="text"/> is null.</summary>
    public static string ParseSolver(string? text, string option = "--solver") =>
        text is null ? "auto"
        : Solvers.Contains(text) ? text
        : throw new AckptException(ErrorCodes.BadPlannerOption,
            $"{option} '{text}' is unknown: use auto (the default: the dynamic program, then SCIP), mip (SCIP), cpsat (CP-SAT) or exact (the dynamic program).");

    /// <summary>The time limit in seconds: positive and at most <see cref="MaxTimeLimitSeconds"/>; null when <paramref name="text"/> is.</summary>
    public static double? ParseTimeLimit(string? text, string option = "--time-limit")
    {
        if (text is null) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double t) || !(t > 0 && t <= MaxTimeLimitSeconds))
            throw new AckptException(ErrorCodes.BadPlannerOption, $"{option} '{text}' must be a positive number of seconds, at most {MaxTimeLimitSeconds} (a week).");
        return t;
    }

    /// <summary>The longest recompute segment in stages, at least 1; null when <paramref name="text"/> is.</summary>
    public static int? ParseMaxSegment(string? text, string option = "--max-segment")
    {
        if (text is null) return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int m) || m < 1)
            throw new AckptException(ErrorCodes.BadPlannerOption, $"{option} '{text}' must be a whole number of stages, at least 1.");
        return m;
    }
}
