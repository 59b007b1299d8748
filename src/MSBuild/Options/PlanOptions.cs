using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Profiles;


namespace AutoCkpt.MSBuild.Options;

/// <summary>
/// The planner options as the MSBuild properties give them, checked by the command line's own parsers
/// (AutoCkpt.Formats' <see cref="MemoryCap"/> and <see cref="PlannerOptionText"/>), so that a bad property fails at
/// the property, with no child process, and the task lets through exactly what <c>autockpt plan</c> accepts.
/// <see cref="Problems"/> lists each bad property with what is wrong; <see cref="Arguments"/> is the
/// <c>autockpt plan</c> command line they make.
/// </summary>
internal sealed record PlanOptions(string ProfileFile, string MemoryCap, string Solver, string TimeLimit, string MaxSegment)
{
    /// <summary>With AutoCkptVerify: the built app, the target and the device the plan is verified with; null for no verification.</summary>
    public VerifyTarget? Verify { get; init; }

    /// <summary>AutoCkptHeadroom, trimmed; empty for the planner's default.</summary>
    public string Headroom { get; init; } = "";

    /// <summary>AutoCkptNoTidy, trimmed: module path patterns of units the plan must not count on being tidy; empty for none.</summary>
    public string NoTidy { get; init; } = "";

    /// <summary>One message per bad property, naming the property and its value.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (MemoryCap.Trim().Length == 0)
            problems.Add("AutoCkptMemoryCap is not set: give the memory cap the plan must fit, e.g. <AutoCkptMemoryCap>6GiB</AutoCkptMemoryCap> or 60%.");
        else
            Check(problems, () => Formats.Options.MemoryCap.Parse(MemoryCap, name: "AutoCkptMemoryCap"));
        if (Headroom.Length > 0) Check(problems, () => Formats.Options.MemoryCap.ParseHeadroom(Headroom, name: "AutoCkptHeadroom"));
        if (Solver.Length > 0) Check(problems, () => PlannerOptionText.ParseSolver(Solver, "AutoCkptSolver"));
        if (TimeLimit.Length > 0) Check(problems, () => PlannerOptionText.ParseTimeLimit(TimeLimit, "AutoCkptTimeLimit"));
        if (MaxSegment.Length > 0) Check(problems, () => PlannerOptionText.ParseMaxSegment(MaxSegment, "AutoCkptMaxSegment"));
        if (NoTidy.Length > 0) Check(problems, () => NoTidyPatterns.Parse([NoTidy]));
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
        if (Verify is { } v)
        {
            args.AddRange(["--verify", "--project", v.AppAssembly]);
            if (v.CheckpointTarget.Length > 0) args.AddRange(["--target", v.CheckpointTarget]);
            if (v.Device is "cpu" or "cuda") args.AddRange(["--device", v.Device]);
        }
        return args;
    }

    private static void Check(List<string> problems, Func<object?> parse)
    {
        try { parse(); }
        catch (AckptException e) { problems.Add(e.Message); }
    }
}

/// <summary>What AutoCkptVerify runs the plan with: the built app (its .dll), the target's name (or empty) and the device (or empty).</summary>
internal sealed record VerifyTarget(string AppAssembly, string CheckpointTarget, string Device);
