using System.Diagnostics;
using System.Globalization;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using AutoCkpt.Profiler.Torch;

namespace AutoCkpt.Profiler.Host;

/// <summary>
/// <c>profile --assembly PATH [--target NAME] [--device cpu|cuda] [--batch-size N] [--repeats N] [--units PATTERNS]
/// (--out FILE | --out-dir DIR)</c>: profiles the target (its units named by <c>--units</c>, else by the target's
/// <see cref="ICheckpointTarget.Units"/>) and writes the profile file; the "result" message names it.
/// </summary>
internal sealed class ProfileVerb : IHostVerb
{
    /// <summary>The default number of measured repeats.</summary>
    public const int DefaultRepeats = 5;

    public string Name => "profile";

    public int Run(HostArgs args, HostOutput output)
    {
        var target = TargetRun.LoadTarget(args);
        int batchSize = args.GetInt("batch-size") ?? target.DefaultBatchSize;
        int repeats = args.GetInt("repeats") ?? DefaultRepeats;
        TargetRun.RequirePositive(("batch-size", batchSize), ("repeats", repeats));
        string path = args.Get("out") ?? Path.Combine(args.Get("out-dir") ?? ".", FileName(target.Name));

        var device = TargetRun.OpenDevice(args, "cpu");
        var meter = new Meter(device.Probe, ProcessCpuClock.FromEnvironment(), device.Synchronize);
        // The cost of profiling is counted from the forward check: loading libtorch and building the model are not it.
        long start = Stopwatch.GetTimestamp();
        var progress = new SyncProgress<ProfilerStep>(s =>
        {
            if (s.Phase == "forward check") start = Stopwatch.GetTimestamp();
            output.Progress(s.Phase, s.Index, s.Count, s.Stage);
        });
        var profiler = new ModelProfiler(meter, progress);
        var profile = TargetRun.Run(device, target, batchSize, "profiling",
            () => profiler.Run(target, device.Device, device.Info, new ProfileOptions(batchSize, repeats) { Units = TargetRun.Units(args) }));
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        foreach (var warning in profiler.Warnings.Concat(SelfCheck.Warnings(profile)))
            output.Warning(warning.Code, warning.Message, path);
        string cost = profile.Check is { StepSecondsMeasured: > 0 } c
            ? string.Create(CultureInfo.InvariantCulture,
                $"; profiling took {seconds:0.##} s{SaveMatmulsCost(profiler.SaveMatmulsSeconds, c.StepSecondsMeasured)}{OptionCost("sub-module", profiler.SubModuleSeconds, c.StepSecondsMeasured)}, {seconds / c.StepSecondsMeasured:0.#} training steps " +
                $"(the forward check {profiler.ForwardCheckSeconds:0.###} s, {profiler.ForwardCheckSeconds / c.StepSecondsMeasured:0.#} steps)")
            : "";
        string units = args.Get("units") is { } u ? $" --units {u}" : target.Units is { Count: > 0 } own ? $" (units: {string.Join(',', own)})" : "";
        string header = $"autockpt profile --target {target.Name} --device {device.Info.Type} --batch-size {batchSize} --repeats {repeats}{units}\n" +
                        $"measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {device.Info.Name}{cost}; bytes and seconds";
        ProfileFile.Write(path, profile, header);
        output.Result(Path.GetFullPath(path), seconds);
        return HostExitCodes.Ok;
    }

    /// <summary>"&lt;name&gt;.profile.yaml", with characters that do not belong in file names replaced by '_'.</summary>
    public static string FileName(string targetName)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var safe = new string(targetName.Select(c => invalid.Contains(c) || char.IsWhiteSpace(c) ? '_' : c).ToArray());
        return (safe.Length == 0 ? "model" : safe) + ".profile.yaml";
    }

    private static string SaveMatmulsCost(double seconds, double step) => OptionCost("save-matmuls", seconds, step);

    private static string OptionCost(string option, double seconds, double step) => seconds <= 0 ? "" :
        string.Create(CultureInfo.InvariantCulture, $" (the {option} option {seconds:0.###} s, {seconds / step:0.#} steps)");
}
