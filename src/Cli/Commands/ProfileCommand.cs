using System.CommandLine;
using System.Globalization;
using AutoCkpt.Cli.Common;
using AutoCkpt.Cli.Hosting;
using AutoCkpt.Cli.Output;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Profiles;
using Spectre.Console;

namespace AutoCkpt.Cli.Commands;

/// <summary>
/// <c>autockpt profile --project P [--target NAME] [--device cpu|cuda] [--batch-size N] [--repeats N] [--units PATTERNS]
/// [--out FILE]</c>: builds the project, measures every stage of the target's model (its units named by <c>--units</c>,
/// else by the target) in the app's own dependency context, writes the
/// profile and prints it as a table. Exit code 0 on success, 1 on an ACKPT error (printed on standard error).
/// </summary>
internal static class ProfileCommand
{
    public static Command Create()
    {
        var project = new Option<string>("--project", "-p")
        {
            Description = "The project to profile: a .csproj (built first), its folder, or a built .dll with its .deps.json beside it.",
            Required = true,
        };
        var target = new Option<string?>("--target", "-t")
        {
            Description = "The ICheckpointTarget to profile, by Name or class name. [default: the project's only target]",
        };
        var device = new Option<string>("--device", "-d") { Description = "The device to measure on.", DefaultValueFactory = _ => "cpu" };
        device.AcceptOnlyFromAmong("cpu", "cuda");
        var batchSize = new Option<int?>("--batch-size", "-b")
        {
            Description = "Samples per batch. [default: the target's DefaultBatchSize]",
        };
        var repeats = new Option<int>("--repeats", "-r")
        {
            Description = "Measured runs per stage and of the whole step; figures are their medians.",
            DefaultValueFactory = _ => 5,
        };
        var output = new Option<string?>("--out", "-o")
        {
            Description = "The profile file to write. [default: <target>.profile.yaml beside the project, or in the current folder for a .dll]",
        };
        var units = UnitOptions.Create();
        var configuration = BuildOptions.Configuration();
        var noBuild = BuildOptions.NoBuild();
        batchSize.CustomParser = CountLimits.OptionalCount("--batch-size", int.MaxValue);
        repeats.CustomParser = CountLimits.Count("--repeats", CountLimits.MaxRepeats);

        var command = new Command("profile", "Measure the time and memory of every stage of a model on the device that will train it, and write a profile.")
        {
            project, target, device, batchSize, repeats, units, output, configuration, noBuild,
        };
        command.SetAction(parse => CliRun.Guard(console => Run(console, new Request(
            parse.GetValue(project)!, parse.GetValue(target), parse.GetValue(device)!, parse.GetValue(batchSize),
            parse.GetValue(repeats), parse.GetValue(units) ?? [], parse.GetValue(output), parse.GetValue(configuration)!, parse.GetValue(noBuild)))));
        return command;
    }

    private sealed record Request(string Project, string? Target, string Device, int? BatchSize, int Repeats, IReadOnlyList<string> Units, string? Out,
        string Configuration, bool NoBuild);

    private static int Run(IAnsiConsole console, Request r)
    {
        try
        {
            string? units = UnitOptions.Text(r.Units);
            string? outFile = r.Out is null ? null : OutputPath.EnsureWritable(r.Out, "--out");
            var app = ProjectBuilder.Resolve(r.Project, r.Configuration, r.NoBuild, line => console.WriteLine(line));
            var args = new List<string> { "--assembly", app.AssemblyPath, "--device", r.Device, "--repeats", Num(r.Repeats) };
            if (r.Target is not null) args.AddRange(["--target", r.Target]);
            if (r.BatchSize is { } b) args.AddRange(["--batch-size", Num(b)]);
            if (units is not null) args.AddRange([UnitOptions.Name, units]);
            args.AddRange(outFile is not null ? ["--out", outFile] : ["--out-dir", DefaultFolder(r.Project)]);

            var warnings = new List<AutoCkpt.Profiler.Host.HostMessage>();
            var result = ProgressDisplay.Run(console, "profile", show => HostLauncher.Run(app, "profile", args, r.Device,
                m => { if (m.Kind == "warning") warnings.Add(m); else show(m); },
                line => console.WriteLine(line),
                Consoles.ErrorLine));
            if (result?.File is not { } written)
                throw new AckptException(ErrorCodes.TargetFailed, "the profiler finished without naming the file it wrote.", app.AssemblyPath);
            ProfileTable.Write(console, ProfileFile.Read(written), written, result.Seconds);
            foreach (var w in warnings) Consoles.Warn(w.Code ?? ErrorCodes.ProfileSelfCheck, w.Message ?? "", w.File);
            return 0;
        }
        catch (AckptException e)
        {
            throw HostLauncher.OnProject(e, r.Project);
        }
    }

    private static string DefaultFolder(string project)
    {
        string full = Path.GetFullPath(project);
        if (Directory.Exists(full)) return full;
        return full.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? Environment.CurrentDirectory : Path.GetDirectoryName(full)!;
    }

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);
}
