using System.Globalization;

namespace AutoCkpt.MSBuild.Options;

/// <summary>
/// The planner options as the MSBuild properties give them, checked once. <see cref="Problems"/> lists each bad
/// property with what is wrong; <see cref="Arguments"/> is the <c>autockpt plan</c> command line they make.
/// </summary>
internal sealed record PlanOptions(string ProfileFile, string MemoryCap, string Solver, string TimeLimit, string MaxSegment)
{
    /// <summary>The solvers <c>autockpt plan --solver</c> accepts.</summary>
    public static readonly IReadOnlyList<string> Solvers = ["auto", "mip", "cpsat", "exact"];

    /// <summary>The longest time limit <c>autockpt plan --time-limit</c> accepts (PlanRequest.MaxTimeLimitSeconds), in seconds.</summary>
    public const double MaxTimeLimitSeconds = 7 * 24 * 3600;

    /// <summary>AutoCkptHeadroom, trimmed; empty for the planner's default.</summary>
    public string Headroom { get; init; } = "";

    /// <summary>AutoCkptNoTidy, trimmed: module path patterns of units the plan must not count on being tidy; empty for none.</summary>
    public string NoTidy { get; init; } = "";

    /// <summary>
    /// Why <paramref name="patterns"/> is not a valid AutoCkptNoTidy (the rule of <c>AutoCkpt.Formats.NoTidyPatterns</c>:
    /// ',' or ';' separated module paths, '*' a wildcard, no empty pattern, no blank, quote, '?' or bracket), or null.
    /// </summary>
    public static string? NoTidyProblem(string patterns)
    {
        foreach (var part in patterns.Split([',', ';'], StringSplitOptions.TrimEntries))
        {
            if (part.Length == 0) return "holds an empty pattern: give module paths such as blocks.3 or blocks.*, separated by ',' or ';'";
            if (part.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '\'' or '?' or '[' or ']'))
                return $"has pattern '{part}' with a character a module path cannot hold: use letters, digits, '_', '.' and '*'";
        }
        return null;
    }

    /// <summary>One message per bad property, naming the property and its value.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (MemoryCap.Trim().Length == 0)
            problems.Add("AutoCkptMemoryCap is not set: give the memory cap the plan must fit, e.g. <AutoCkptMemoryCap>6GiB</AutoCkptMemoryCap> or 60%.");
        else if (CapSyntax.Problem(MemoryCap) is { } capProblem)
            problems.Add($"AutoCkptMemoryCap '{MemoryCap}' {capProblem}.");
        if (Headroom.Length > 0 && CapSyntax.HeadroomProblem(Headroom) is { } headroomProblem)
            problems.Add($"AutoCkptHeadroom '{Headroom}' {headroomProblem}.");
        if (Solver.Length > 0 && !Solvers.Contains(Solver))
            problems.Add($"AutoCkptSolver '{Solver}' is unknown: use {string.Join(", ", Solvers)}, or leave it empty for the planner's default.");
        if (TimeLimit.Length > 0 && !(double.TryParse(TimeLimit, NumberStyles.Float, CultureInfo.InvariantCulture, out double t) && t > 0 && t <= MaxTimeLimitSeconds))
            problems.Add($"AutoCkptTimeLimit '{TimeLimit}' must be a positive number of seconds, at most {MaxTimeLimitSeconds} (a week).");
        if (MaxSegment.Length > 0 && !(int.TryParse(MaxSegment, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0))
            problems.Add($"AutoCkptMaxSegment '{MaxSegment}' must be a positive whole number of stages.");
        if (NoTidy.Length > 0 && NoTidyProblem(NoTidy) is { } noTidyProblem)
            problems.Add($"AutoCkptNoTidy '{NoTidy}' {noTidyProblem}.");
        return problems;
    }

    /// <summary>The <c>plan</c> verb and its options, without <c>--out</c>.</summary>
    public IReadOnlyList<string> Arguments()
    {
        var args = new List<string> { "plan", "--profile", ProfileFile, "--memory-cap", MemoryCap.Trim() };
        if (Headroom.Length > 0) args.AddRange(["--headroom", Headroom]);
        if (Solver.Length > 0) args.AddRange(["--solver", Solver]);
        if (TimeLimit.Length > 0) args.AddRange(["--time-limit", TimeLimit]);
        if (MaxSegment.Length > 0) args.AddRange(["--max-segment", MaxSegment]);
        if (NoTidy.Length > 0) args.AddRange(["--no-tidy", NoTidy]);
        return args;
    }
}
