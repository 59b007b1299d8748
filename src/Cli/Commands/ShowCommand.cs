using System.CommandLine;
using AutoCkpt.Cli.Common;
using AutoCkpt.Cli.Output;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Drawing;
using Spectre.Console;
using Profile = AutoCkpt.Formats.Profiles.Profile;

namespace AutoCkpt.Cli.Commands;

/// <summary><c>autockpt show FILE [--svg FILE]</c>: prints a plan or a profile, and draws memory over one step.</summary>
internal static class ShowCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "A plan or a profile file." };
        var svg = new Option<string?>("--svg") { Description = "Also draw predicted memory over one training step (plan and baselines, and the Pareto front when swept) as SVG." };
        var command = new Command("show", "Print a plan or a profile readably; optionally draw memory over one training step.") { file, svg };
        command.SetAction(parse => CliRun.Guard(console => Run(console, new Request(parse.GetValue(file)!, parse.GetValue(svg)))));
        return command;
    }

    private sealed record Request(string File, string? Svg);

    private static int Run(IAnsiConsole console, Request r)
    {
        string path = r.File;
        string? svgPath = r.Svg;
        if (svgPath is not null) OutputPath.EnsureWritable(svgPath, "--svg");
        if (!File.Exists(path))
            throw new AckptException(ErrorCodes.BadArgument, $"'{path}' does not exist.", path);
        string format = FormatOf(path);
        if (format == Profile.FormatTag)
        {
            var profile = ProfileFile.Read(path);
            var model = new StepCostModel(profile);
            ProfileTables.Render(console, profile, model);
            if (svgPath is not null) Write(svgPath, StepChart.Render(model, BaselineSeries(model, null), null, [], $"Predicted memory over one training step: {profile.Target}"), console);
            return 0;
        }
        if (!format.StartsWith("autockpt-plan/", StringComparison.Ordinal))
            throw new AckptException(ErrorCodes.BadArgument, $"'{path}' is neither a plan ({Plan.FormatTag}) nor a profile ({Profile.FormatTag}): its format is '{format}'.", path);
        var plan = PlanFile.Read(path);
        var plainModel = ProfileOf(plan, path, required: svgPath is not null);
        var planModel = plainModel is null ? null : TidyCosts.ForPlan(plan, plainModel.Profile);
        PlanTables.Render(console, plan, planModel);
        if (svgPath is not null && planModel is not null)
        {
            var series = new List<ChartSeries> { new("this plan", plan.Segments, IsPlan: true) };
            series.AddRange(BaselineSeries(planModel, plan.MemoryCapBytes, plainModel));
            Write(svgPath, StepChart.Render(planModel, series, plan.MemoryCapBytes, plan.Sweep, $"Predicted memory over one training step: {plan.Target} under {MemoryCap.Format(plan.MemoryCapBytes)}"), console);
        }
        return 0;
    }

    /// <summary>
    /// none (the plain model), tidy (when <paramref name="plain"/> is given and the plan keeps units tidy), every_stage,
    /// sqrt_n and, under a cap, the fastest checkpoint_sequential(k) that fits.
    /// </summary>
    private static List<ChartSeries> BaselineSeries(StepCostModel model, long? cap, StepCostModel? plain = null)
    {
        int n = model.Stages;
        var list = new List<ChartSeries> { new("none (no checkpointing)", Baselines.None(n)) { Model = plain } };
        if (plain is not null && model.IsTidy) list.Add(new("tidy (no recompute)", Baselines.None(n)));
        list.AddRange([new("every_stage", model.Runnable(Baselines.EveryStage(n))), new("sqrt_n", model.Runnable(Baselines.SqrtN(n)))]);
        if (cap is { } c && Baselines.BestUniform(model, c) is { Name: var name } && name.StartsWith("uniform_", StringComparison.Ordinal))
            list.Add(new($"{name} (fastest uniform fitting)", model.Runnable(Baselines.ByName(name, n)!)));
        return list;
    }

    private static StepCostModel? ProfileOf(Plan plan, string planPath, bool required)
    {
        string? profilePath = plan.ProfilePath is { } rel ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(planPath))!, rel) : null;
        if (profilePath is null || !File.Exists(profilePath))
        {
            if (!required) return null;
            throw new AckptException(ErrorCodes.ProfileMissing, profilePath is null
                ? "the plan names no profile, and drawing memory over a step needs the profile's per-stage figures: regenerate the plan with 'autockpt plan'."
                : $"the plan's profile '{profilePath}' does not exist; drawing memory over a step needs it.", planPath);
        }
        var profile = ProfileFile.Read(profilePath);
        if (profile.Model.Fingerprint != plan.Model.Fingerprint || profile.Stages.Count != plan.Model.Stages)
            throw new AckptException(ErrorCodes.PlanFingerprintMismatch, $"the plan was made for model {plan.Model.Fingerprint} ({plan.Model.Stages} stages) but its profile '{profilePath}' is of {profile.Model.Fingerprint} ({profile.Stages.Count} stages): regenerate the plan.", planPath);
        return new StepCostModel(profile);
    }

    // Bounded: a device, a pipe or a huge file is refused with a code, never read (InputFile).
    private static string FormatOf(string path)
    {
        foreach (var line in InputFile.ReadText(path, ErrorCodes.BadArgument, "file").Split('\n'))
        {
            var t = line.Trim();
            if (t.StartsWith("format:", StringComparison.Ordinal)) return t["format:".Length..].Trim().Trim('"');
        }
        return "";
    }

    private static void Write(string svgPath, string svg, Spectre.Console.IAnsiConsole console)
    {
        AtomicFile.WriteAllText(svgPath, svg);
        console.MarkupLine($"drew [bold]{Spectre.Console.Markup.Escape(svgPath)}[/]");
    }
}
