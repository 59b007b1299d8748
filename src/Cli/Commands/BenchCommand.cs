using System.CommandLine;
using System.Globalization;
using AutoCkpt.Bench;
using AutoCkpt.Bench.Report;
using AutoCkpt.Cli.Common;
using AutoCkpt.Cli.Hosting;
using AutoCkpt.Cli.Output;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using Spectre.Console;

namespace AutoCkpt.Cli.Commands;

/// <summary>
/// <c>autockpt bench --project P [--target NAME] --plan FILE [--profile FILE] [--device cpu|cuda] [--steps N]
/// [--batch-size N] [--units PATTERNS] [--json FILE] [--markdown FILE] [--svg FILE]</c>: builds the project, runs real training steps of
/// no checkpointing (the plain model), tidy (no recompute, dead intermediates freed), every stage recomputed, the best
/// tidy uniform segmentation that fits the plan's cap, and the plan,
/// in one process inside the app (the profiler's host), and prints them side by side with the cost model's
/// predictions. Exit code 0 when the plan fits its cap, matches its prediction within 5% and every strategy's
/// gradients match; 1 with ACKPT081 otherwise, or on any other ACKPT error.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var project = new Option<string>("--project", "-p") { Description = "The project: a .csproj (built first), its folder, or a built .dll.", Required = true };
        var target = new Option<string?>("--target", "-t") { Description = "The ICheckpointTarget, by Name or class name. [default: the project's only target]" };
        var plan = new Option<string>("--plan") { Description = "The plan file to measure (from 'autockpt plan' or the build).", Required = true };
        var profile = new Option<string?>("--profile") { Description = "The profile the plan was made from. [default: the one the plan names]" };
        var device = new Option<string?>("--device", "-d") { Description = "The device to run on. [default: the plan's]" };
        device.AcceptOnlyFromAmong("cpu", "cuda");
        var steps = new Option<int>("--steps", "-n") { Description = "Timed steps per strategy; times are their median.", DefaultValueFactory = _ => 10 };
        var batchSize = new Option<int?>("--batch-size", "-b") { Description = "Samples per step. [default: the plan's]" };
        var json = new Option<string?>("--json") { Description = "Write the results as JSON (one object per strategy)." };
        var markdown = new Option<string?>("--markdown") { Description = "Write the side-by-side table as Markdown." };
        var svg = new Option<string?>("--svg") { Description = "Draw memory over a step per strategy and the overheads as SVG." };
        var units = UnitOptions.Create();
        var configuration = BuildOptions.Configuration();
        var noBuild = BuildOptions.NoBuild();
        steps.CustomParser = CountLimits.Count("--steps", CountLimits.MaxSteps);
        batchSize.CustomParser = CountLimits.OptionalCount("--batch-size", int.MaxValue);

        var command = new Command("bench", "Train a few real steps without checkpointing, with every stage recomputed, with the best uniform segmentation and with the plan, and compare memory, time and gradients.")
        {
            project, target, plan, profile, device, steps, batchSize, units, json, markdown, svg, configuration, noBuild,
        };
        command.SetAction(parse => CliRun.Guard(console => Run(console, new Request(
            parse.GetValue(project)!, parse.GetValue(target), parse.GetValue(plan)!, parse.GetValue(profile), parse.GetValue(device),
            parse.GetValue(steps), parse.GetValue(batchSize), parse.GetValue(units) ?? [], parse.GetValue(json), parse.GetValue(markdown), parse.GetValue(svg),
            parse.GetValue(configuration)!, parse.GetValue(noBuild)))));
        return command;
    }

    private sealed record Request(string Project, string? Target, string Plan, string? Profile, string? Device, int Steps, int? BatchSize,
        IReadOnlyList<string> Units, string? Json, string? Markdown, string? Svg, string Configuration, bool NoBuild);

    private static int Run(IAnsiConsole console, Request r)
    {
        try
        {
            string? units = UnitOptions.Text(r.Units);
            var outputs = new[] { (r.Json, "--json"), (r.Markdown, "--markdown"), (r.Svg, "--svg") }
                .Where(o => o.Item1 is not null).Select(o => OutputPath.EnsureWritable(o.Item1!, o.Item2)).ToList();
            string planPath = Path.GetFullPath(r.Plan);
            var plan = PlanFile.Read(planPath);
            string profilePath = ProfilePath(r.Profile, plan, planPath);
            var profile = ProfileFile.Read(profilePath);
            var strategies = BenchStrategies.ForTidy(plan, profile);
            string deviceType = r.Device ?? plan.Device.Type;

            var measurement = Measure(console, r, planPath, deviceType, strategies, units);
            var report = BenchAssembler.Assemble(measurement, profile, BenchStrategies.TidyModel(plan, profile), plan.MemoryCapBytes, plan.Sweep);

            string table = BenchMarkdown.Write(report);
            console.WriteLine(table);
            // All or none: a report that cannot be written leaves every output as it was.
            var files = new List<(string, string)>();
            if (r.Json is not null) files.Add((r.Json, BenchJson.Rows(report)));
            if (r.Markdown is not null) files.Add((r.Markdown, table));
            if (r.Svg is not null) files.Add((r.Svg, BenchSvg.Write(report)));
            AtomicFile.WriteAll(files);
            foreach (var path in outputs) console.WriteLine($"wrote {path}");

            var failures = BenchVerdict.Failures(report);
            if (failures.Count > 0)
                throw new AckptException(ErrorCodes.BenchFailed, string.Join(" ", failures), planPath);
            return 0;
        }
        catch (AckptException e)
        {
            throw HostLauncher.OnProject(e, r.Project);
        }
    }

    /// <summary>Builds the project and runs the strategies in the profiler's host, inside the app.</summary>
    private static BenchMeasurement Measure(IAnsiConsole console, Request r, string planPath, string deviceType, IReadOnlyList<BenchStrategy> strategies, string? units)
    {
        // The host reads a copy: the build keeps the plan beside the app (AutoCkptSkipPlan), but a project built with
        // another version of the MSBuild integration may still remove or remake it.
        string stem = Path.Combine(Path.GetTempPath(), $"autockpt-bench.{Environment.ProcessId}.{Guid.NewGuid():N}");
        string measured = stem + ".json", planCopy = stem + ".plan.yaml";
        try
        {
            File.Copy(planPath, planCopy);
            var app = ProjectBuilder.Resolve(r.Project, r.Configuration, r.NoBuild, line => console.WriteLine(line));
            var args = new List<string>
            {
                "--assembly", app.AssemblyPath, "--device", deviceType, "--plan", planCopy,
                "--strategies", BenchMeasurementFile.FormatStrategies(strategies), "--steps", Num(r.Steps), "--out", measured,
            };
            if (r.Target is not null) args.AddRange(["--target", r.Target]);
            if (r.BatchSize is { } b) args.AddRange(["--batch-size", Num(b)]);
            if (units is not null) args.AddRange([UnitOptions.Name, units]);
            var result = ProgressDisplay.Run(console, "bench", show => HostLauncher.Run(app, "bench", args, deviceType,
                show, line => console.WriteLine(line), Consoles.ErrorLine));
            return BenchMeasurementFile.Read(result?.File ?? measured);
        }
        catch (AckptException e) when (PlanCodes.Contains(e.Code) && (e.File is null || e.File == planCopy))
        {
            // The plan does not fit the model (checked when the host applies it): name the user's plan, not the copy.
            throw new AckptException(e.Code, e.Message.Replace(planCopy, planPath), planPath, e);
        }
        finally
        {
            foreach (var temp in new[] { measured, planCopy })
                if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>The codes of a plan that does not fit the model it is applied to.</summary>
    private static readonly string[] PlanCodes =
        [ErrorCodes.PlanBadSegments, ErrorCodes.PlanFingerprintMismatch, ErrorCodes.PlanStageCountMismatch, ErrorCodes.PlanUnknownStrategy, ErrorCodes.PlanUnitPathMismatch];

    private static string ProfilePath(string? given, Plan plan, string planPath)
    {
        if (given is not null) return Path.GetFullPath(given);
        if (plan.ProfilePath is { } named)
            return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(planPath)!, named));
        throw new AckptException(ErrorCodes.BadArgument,
            "the plan does not name the profile it was made from: pass it with --profile, so that the bench can predict each strategy.", planPath);
    }

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);
}
