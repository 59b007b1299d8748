using System.CommandLine;
using System.Globalization;
using AutoCkpt.Cli.Common;
using AutoCkpt.Cli.Output;
using AutoCkpt.Formats;
using AutoCkpt.Planner;
using Spectre.Console;

namespace AutoCkpt.Cli.Commands;

/// <summary>
/// <c>autockpt plan --profile FILE --memory-cap SIZE [--headroom SIZE] [--out FILE] [--solver auto|mip|cpsat|exact]
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
        var output = new Option<string>("--out") { Description = $"The plan file to write (default {PlanFile.DefaultFileName}).", DefaultValueFactory = _ => PlanFile.DefaultFileName };
        var solver = new Option<string?>("--solver") { Description = "auto (default: the dynamic program, then SCIP if it has not proved the plan in half the time), mip (the MIP on SCIP), cpsat (the same MIP on CP-SAT) or exact (the dynamic program)." };
        var timeLimit = new Option<string?>("--time-limit") { Description = $"Seconds per solve (default {PlanRequest.DefaultTimeLimitSeconds})." };
        var maxSegment = new Option<string?>("--max-segment") { Description = "The longest recompute segment, in stages (default: all up to 16, else max(16, 2√n))." };
        var sweep = new Option<bool>("--sweep") { Description = "Also solve caps from the smallest reachable peak to the tidy peak (no recompute) and record the Pareto front." };
        var noTidy = new Option<string?>("--no-tidy") { Description = "Module path patterns (',' or ';' separated, '*' wildcard) of units the plan must not count on being tidy; '*' for none. Give the training app the same (CheckpointOptions.NoTidy)." };
        var command = new Command("plan", "Find the fastest checkpoint plan whose predicted peak fits a memory cap.")
        {
            profile, cap, headroom, output, solver, timeLimit, maxSegment, sweep, noTidy,
        };
        command.SetAction(r => CliRun.Guard(console =>
        {
            var options = PlanOptions.Parse(r.GetValue(solver), r.GetValue(timeLimit), r.GetValue(maxSegment));
            string profilePath = r.GetValue(profile)!, outPath = r.GetValue(output)!, capText = r.GetValue(cap)!;
            string? headroomText = r.GetValue(headroom), noTidyText = r.GetValue(noTidy);
            OutputPath.EnsureWritable(outPath);
            var request = new PlanRequest
            {
                Profile = ProfileFile.Read(profilePath),
                Cap = MemoryCap.Parse(capText),
                Headroom = MemoryCap.ParseHeadroom(headroomText ?? PlanRequest.DefaultHeadroom),
                Solver = options.Solver,
                TimeLimitSeconds = options.TimeLimitSeconds ?? PlanRequest.DefaultTimeLimitSeconds,
                MaxSegment = options.MaxSegment,
                Sweep = r.GetValue(sweep),
                NoTidy = noTidyText is null ? NoTidyPatterns.Empty : NoTidyPatterns.Parse([noTidyText]),
                ProfileFile = profilePath,
            };
            var result = CheckpointPlanner.Plan(request);
            string relProfile = Relative(outPath, profilePath);
            var plan = result.Plan with { ProfilePath = relProfile };
            PlanFile.Write(outPath, plan, Header(request, relProfile, Path.GetFileName(outPath), capText, headroomText, options));
            foreach (var w in result.Warnings) Consoles.Warn(w.Code, w.Message, outPath);
            PlanTables.Render(console, plan, result.Model);
            PlanTables.RenderPeaks(console, result);
            console.MarkupLine($"wrote [bold]{Spectre.Console.Markup.Escape(outPath)}[/]");
            console.WriteLine(WhereApplyLooks);
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Where the runtime looks: the plan is written here, but <c>Checkpointing.Apply(model)</c> reads it beside the app,
    /// so the two meet only if the user copies it, passes its path, or lets the build write it.
    /// </summary>
    internal static readonly string WhereApplyLooks =
        $"Checkpointing.Apply(model) reads {PlanFile.DefaultFileName} from the folder the app runs from (its build output, e.g. bin/Release/net10.0/), " +
        "not from here: copy the plan there, pass its path (Checkpointing.Apply(model, \"path/to/plan.yaml\")), or set AutoCkptProfile and " +
        "AutoCkptMemoryCap in the project so that every build writes it there (README, step 5).";

    /// <summary>The path of <paramref name="target"/> as seen from the folder of <paramref name="from"/>, with '/'.</summary>
    internal static string Relative(string from, string target) =>
        Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(from))!, Path.GetFullPath(target)).Replace('\\', '/');

    private static string Header(PlanRequest r, string profile, string outName, string cap, string? headroom, PlanOptions o)
    {
        var args = new List<string> { "dotnet autockpt plan", $"--profile {Quote(profile)}", $"--memory-cap {Quote(cap.Trim())}" };
        if (headroom is not null) args.Add($"--headroom {Quote(headroom.Trim())}");
        args.Add($"--out {Quote(outName)}");
        if (o.SolverText is { } s) args.Add($"--solver {s}");
        if (o.TimeLimitSeconds is { } t) args.Add($"--time-limit {t.ToString(CultureInfo.InvariantCulture)}");
        if (o.MaxSegment is { } m) args.Add($"--max-segment {m}");
        if (r.Sweep) args.Add("--sweep");
        if (!r.NoTidy.IsEmpty) args.Add($"--no-tidy {Quote(r.NoTidy.ToString())}");
        return $"""
            Made by 'autockpt plan' (AutoCkpt {typeof(CheckpointPlanner).Assembly.GetName().Version?.ToString(3)}) from the profile of {r.Profile.Target} ({r.Profile.Model.Stages} stages, {r.Profile.Model.Fingerprint}).
            Predictions follow docs/cost-model.md. Do not edit by hand: regenerate it, from this file's folder, with
              {string.Join(" ", args)}
            Same profile and options give the same file, except solver.solve_seconds (and a plan cut short by --time-limit).
            """;
    }

    private static string Quote(string s) => s.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '$') ? $"\"{s.Replace("\"", "\\\"")}\"" : s;
}
