using System.CommandLine;
using System.Globalization;
using AutoCkpt.Cli.Common;
using AutoCkpt.Cli.Output;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner;
using Spectre.Console;

namespace AutoCkpt.Cli.Commands;

/// <summary>
/// <c>autockpt plan --profile FILE --memory-cap SIZE [--headroom SIZE] [--out FILE | --project P] [--solver auto|mip|cpsat|exact]
/// [--time-limit SECONDS] [--max-segment N] [--sweep] [--no-tidy PATTERNS]</c>: solves for the fastest plan under the cap less its headroom
/// and writes it.
/// </summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var profile = new Option<string>("--profile") { Description = "The profile file (autockpt profile).", Required = true };
        var cap = new Option<string>("--memory-cap") { Description = "Bytes, a size (KB, MB, GB, KiB, MiB, GiB), N% of the predicted no-checkpointing (none) peak, or range:N%: N% of the way from the smallest reachable peak up to the tidy peak (range:50% is halfway along what checkpointing can save).", Required = true };
        var headroom = new Option<string?>("--headroom") { Description = $"The part of the cap the plan leaves free for what predictions miss: a size or N% of the cap (default {PlanRequest.DefaultHeadroom}; 0 for none)." };
        var output = new Option<string?>("--out") { Description = $"The plan file to write. [default: {PlanFile.DefaultFileName} in the --project's folder, else in the current folder]" };
        var project = new Option<string?>("--project", "-p") { Description = $"The app's project (a .csproj or its folder): the plan is written as the project's plan, {PlanFile.DefaultFileName} beside the project file, which a build with AutoCkpt.MSBuild copies beside the app." };
        var solver = new Option<string?>("--solver") { Description = "auto (default: the dynamic program, then SCIP if it has not proved the plan in half the time), mip (the MIP on SCIP), cpsat (the same MIP on CP-SAT) or exact (the dynamic program)." };
        var timeLimit = new Option<string?>("--time-limit") { Description = $"Seconds per solve (default {PlanRequest.DefaultTimeLimitSeconds})." };
        var maxSegment = new Option<string?>("--max-segment") { Description = "The longest recompute segment, in stages (default: all up to 16, else max(16, 2√n))." };
        var sweep = new Option<bool>("--sweep") { Description = "Also solve caps from the smallest reachable peak to the tidy peak (no recompute) and record the Pareto front." };
        var noTidy = new Option<string?>("--no-tidy") { Description = "Module path patterns (',' or ';' separated, '*' wildcard) of units the plan must not count on being tidy; '*' for none. Give the training app the same (CheckpointOptions.NoTidy)." };
        var verify = new Option<bool>("--verify") { Description = $"Run real training steps with the plan on the device (as bench does; needs --project) and, while it measures over its cap, plan again with the budget tightened by the measured miss (at most {PlanVerifier.MaxRounds} plans, else ACKPT083). The plan records what it measured. [default: off]" };
        var target = new Option<string?>("--target", "-t") { Description = "With --verify: the ICheckpointTarget, by Name or class name. [default: the project's only target]" };
        var device = new Option<string?>("--device", "-d") { Description = "With --verify: the device to run on. [default: the profile's]" };
        device.AcceptOnlyFromAmong("cpu", "cuda");
        var steps = new Option<int>("--steps", "-n") { Description = "With --verify: timed steps per plan measured; the peak is the largest.", DefaultValueFactory = _ => PlanVerifier.DefaultSteps };
        steps.CustomParser = CountLimits.Count("--steps", CountLimits.MaxSteps);
        var configuration = BuildOptions.Configuration();
        var noBuild = BuildOptions.NoBuild();
        var command = new Command("plan", "Find the fastest checkpoint plan whose predicted peak fits a memory cap.")
        {
            profile, cap, headroom, output, project, solver, timeLimit, maxSegment, sweep, noTidy, verify, target, device, steps, configuration, noBuild,
        };
        command.SetAction(parse => CliRun.Guard(console => Run(console, new Request(
            parse.GetValue(profile)!, parse.GetValue(cap)!, parse.GetValue(headroom), parse.GetValue(output), parse.GetValue(project), parse.GetValue(solver),
            parse.GetValue(timeLimit), parse.GetValue(maxSegment), parse.GetValue(sweep), parse.GetValue(noTidy),
            parse.GetValue(verify), parse.GetValue(target), parse.GetValue(device), parse.GetValue(steps), parse.GetValue(configuration)!, parse.GetValue(noBuild)))));
        return command;
    }

    private sealed record Request(string Profile, string Cap, string? Headroom, string? Out, string? Project, string? Solver, string? TimeLimit,
        string? MaxSegment, bool Sweep, string? NoTidy, bool Verify, string? Target, string? Device, int Steps, string Configuration, bool NoBuild);

    private static int Run(IAnsiConsole console, Request r)
    {
        // Startup (the process up to here), reading, planning and writing, reported apart (docs/planner.md).
        double startup = (DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime).TotalSeconds;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var options = PlanOptions.Parse(r.Solver, r.TimeLimit, r.MaxSegment);
        string profilePath = r.Profile, capText = r.Cap;
        string outPath = r.Out ?? DefaultOut(r.Project);
        string? headroomText = r.Headroom, noTidyText = r.NoTidy;
        if (r.Verify && r.Project is null)
            throw new AckptException(ErrorCodes.BadArgument, "--verify runs the plan in your app: give the app with --project (a .csproj, its folder or a built .dll), as for bench.");
        OutputPath.EnsureWritable(outPath);
        var request = new PlanRequest
        {
            Profile = ProfileFile.Read(profilePath),
            Cap = MemoryCap.Parse(capText),
            Headroom = MemoryCap.ParseHeadroom(headroomText ?? PlanRequest.DefaultHeadroom),
            Solver = options.Solver,
            TimeLimitSeconds = options.TimeLimitSeconds ?? PlanRequest.DefaultTimeLimitSeconds,
            MaxSegment = options.MaxSegment,
            Sweep = r.Sweep,
            NoTidy = noTidyText is null ? NoTidyPatterns.Empty : NoTidyPatterns.Parse([noTidyText]),
            ProfileFile = profilePath,
        };
        double read = clock.Elapsed.TotalSeconds;
        var result = CheckpointPlanner.Plan(request);
        double planned = clock.Elapsed.TotalSeconds;
        if (r.Verify)
            result = PlanVerifier.Run(request, result, new VerifyOptions(r.Project!, r.Target, r.Device, r.Steps, r.Configuration, r.NoBuild),
                line => console.WriteLine(line));
        double verified = clock.Elapsed.TotalSeconds;
        string relProfile = Relative(outPath, profilePath);
        var plan = result.Plan with { ProfilePath = relProfile };
        string? verifyArgs = r.Verify ? VerifyArguments(outPath, r.Project!, r.Target, r.Device, r.Steps, r.Configuration) : null;
        PlanFile.Write(outPath, plan, Header(request, relProfile, Path.GetFileName(outPath), capText, headroomText, options, verifyArgs));
        double written = clock.Elapsed.TotalSeconds;
        foreach (var w in result.Warnings) Consoles.Warn(w.Code, w.Message, outPath);
        PlanTables.Render(console, plan, result.Model);
        PlanTables.RenderPeaks(console, result);
        console.MarkupLine($"wrote [bold]{Spectre.Console.Markup.Escape(outPath)}[/]");
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"time: startup {startup:0.00} s, read {read:0.00} s, plan {planned - read:0.00} s (time limit {request.TimeLimitSeconds:0.###} s), {(r.Verify ? $"verify {verified - planned:0.00} s, " : "")}write {written - verified:0.00} s"));
        console.WriteLine(IsProjectPlan(outPath) ? ProjectPlanReachesApply : WhereApplyLooks);
        return 0;
    }

    /// <summary>
    /// The default plan path: the project's plan (<see cref="PlanFile.DefaultFileName"/> in the folder of
    /// <paramref name="project"/>, a project file or its folder) or, with no project, the current folder's.
    /// </summary>
    internal static string DefaultOut(string? project)
    {
        if (project is null) return PlanFile.DefaultFileName;
        string full = Path.GetFullPath(project);
        string folder = Directory.Exists(full) ? full
            : File.Exists(full) && ProjectExtensions.Contains(Path.GetExtension(full), StringComparer.OrdinalIgnoreCase) ? Path.GetDirectoryName(full)!
            : throw new AckptException(ErrorCodes.BadArgument, $"--project '{project}' is neither a project file (.csproj, .fsproj, .vbproj) nor a folder: give the app's project, whose plan this is.");
        return Path.Combine(folder, PlanFile.DefaultFileName);
    }

    private static readonly string[] ProjectExtensions = [".csproj", ".fsproj", ".vbproj"];

    /// <summary>Whether <paramref name="planPath"/> is a project's plan: <see cref="PlanFile.DefaultFileName"/> beside a project file.</summary>
    internal static bool IsProjectPlan(string planPath)
    {
        string full = Path.GetFullPath(planPath), folder = Path.GetDirectoryName(full)!;
        return Path.GetFileName(full) == PlanFile.DefaultFileName && Directory.Exists(folder)
            && Directory.EnumerateFiles(folder).Any(f => ProjectExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>What the user learns when the plan is a project's plan: the build carries it to where Apply looks.</summary>
    internal static readonly string ProjectPlanReachesApply =
        $"This is the project's plan. Checkpointing.Apply(model) reads {PlanFile.DefaultFileName} from the folder the app runs from (its build output); " +
        "a build with AutoCkpt.MSBuild copies the project's plan there and to the publish folder, like content (AutoCkptProjectPlan, docs/msbuild.md). " +
        "Without the package, copy it there or pass its path. A project that sets AutoCkptProfile makes its own plan instead (warning ACKPT064).";
    /// <summary>
    /// Where the runtime looks: the plan is written here, but <c>Checkpointing.Apply(model)</c> reads it beside the app,
    /// so the two meet only if the user copies it, passes its path, or lets the build write it.
    /// </summary>
    internal static readonly string WhereApplyLooks =
        $"Checkpointing.Apply(model) reads {PlanFile.DefaultFileName} from the folder the app runs from (its build output, e.g. bin/Release/net10.0/), " +
        "not from here: write it as the project's plan (--project, or run this in the project's folder) so that a build with AutoCkpt.MSBuild copies it there, " +
        "copy the plan there, pass its path (Checkpointing.Apply(model, \"path/to/plan.yaml\")), or set AutoCkptProfile and " +
        "AutoCkptMemoryCap in the project so that every build writes it there (README, step 5).";

    /// <summary>The path of <paramref name="target"/> as seen from the folder of <paramref name="from"/>, with '/'.</summary>
    internal static string Relative(string from, string target) =>
        Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(from))!, Path.GetFullPath(target)).Replace('\\', '/');

    /// <summary>The --verify part of the regenerate line, paths relative to the plan's folder.</summary>
    private static string VerifyArguments(string outPath, string project, string? target, string? device, int steps, string configuration)
    {
        var args = new List<string> { "--verify", $"--project {Quote(Relative(outPath, project))}" };
        if (target is not null) args.Add($"--target {Quote(target)}");
        if (device is not null) args.Add($"--device {device}");
        if (steps != PlanVerifier.DefaultSteps) args.Add($"--steps {steps.ToString(CultureInfo.InvariantCulture)}");
        if (configuration != BuildOptions.DefaultConfiguration) args.Add($"-c {Quote(configuration)}");
        return string.Join(" ", args);
    }

    private static string Header(PlanRequest r, string profile, string outName, string cap, string? headroom, PlanOptions o, string? verify)
    {
        var args = new List<string> { "dotnet autockpt plan", $"--profile {Quote(profile)}", $"--memory-cap {Quote(cap.Trim())}" };
        if (headroom is not null) args.Add($"--headroom {Quote(headroom.Trim())}");
        args.Add($"--out {Quote(outName)}");
        if (o.SolverText is { } s) args.Add($"--solver {s}");
        if (o.TimeLimitSeconds is { } t) args.Add($"--time-limit {t.ToString(CultureInfo.InvariantCulture)}");
        if (o.MaxSegment is { } m) args.Add($"--max-segment {m}");
        if (r.Sweep) args.Add("--sweep");
        if (!r.NoTidy.IsEmpty) args.Add($"--no-tidy {Quote(r.NoTidy.ToString())}");
        if (verify is not null) args.Add(verify);
        return $"""
            Made by 'autockpt plan' (AutoCkpt {typeof(CheckpointPlanner).Assembly.GetName().Version?.ToString(3)}) from the profile of {r.Profile.Target} ({r.Profile.Model.Stages} stages, {r.Profile.Model.Fingerprint}).
            Predictions follow docs/cost-model.md. Do not edit by hand: regenerate it, from this file's folder, with
              {string.Join(" ", args)}
            Same profile and options give the same file, except solver.solve_seconds (and a plan cut short by --time-limit).
            """;
    }

    private static string Quote(string s) => s.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '$') ? $"\"{s.Replace("\"", "\\\"")}\"" : s;
}
