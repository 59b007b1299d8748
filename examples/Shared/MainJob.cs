using System.Diagnostics;
using AutoCkpt.Bench;
using AutoCkpt.Bench.Report;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Profiler.Benchmarking;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using AutoCkpt.Profiler.Torch;
using TorchSharp;

namespace AutoCkpt.Examples;

/// <summary>
/// The newcomer's main job, in one process: profile the target's model, plan it under a cap, train a few steps with
/// the plan, and compare no checkpointing, tidy (no recompute, dead intermediates freed), every stage recomputed, the
/// best (tidy) uniform segmentation and the plan side by side (the same code as <c>autockpt profile</c>, <c>plan</c> and <c>bench</c>).
/// </summary>
public static class MainJob
{
    /// <summary>Runs the job; returns 0 when the bench shows what it must, 1 otherwise.</summary>
    public static int Run(ICheckpointTarget target, MainJobOptions options)
    {
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(options.OutputFolder);
        var device = ProfilingDevice.Open(options.Device);
        int batch = options.BatchSize ?? target.DefaultBatchSize;
        Say(clock, $"{target.Name} on {device.Info.Name}, batch {batch}; files in {Path.GetFullPath(options.OutputFolder)}");

        Say(clock, "1/4 profiling every stage (autockpt profile)");
        var meter = new Meter(device.Probe, TimeProvider.System, device.Synchronize);
        var profile = new ModelProfiler(meter).Run(target, device.Device, device.Info, new ProfileOptions(batch, options.ProfileRepeats));
        string profilePath = Path.Combine(options.OutputFolder, $"{target.Name}.profile.yaml");
        ProfileFile.Write(profilePath, profile, $"profiled by the {target.Name} example's main job");

        var costModel = new StepCostModel(profile);
        // The midpoint starts from the smallest peak any plan reaches, which is every_stage's only when recomputing
        // every unit saves memory (on chains of single-op units it may peak above no recompute).
        var peaks = CheckpointPlanner.Peaks(profile, NoTidyPatterns.Empty);
        long every = costModel.PeakBytes(costModel.Runnable(Baselines.EveryStage(costModel.Stages)));
        var cap = options.EveryStageShare is { } share ? new MemoryCap((long)(every * share), null) : options.Cap ?? (options.Midpoint == "tidy"
            ? MemoryCap.Parse("range:50%")
            : new MemoryCap(peaks.Smallest + (peaks.None - peaks.Smallest) / 2, null));
        Say(clock, $"2/4 planning under {(options.EveryStageShare is { } of ? $"{of:P0} of the every-stage peak " : options.Cap is null ? $"the midpoint cap (smallest reachable peak to {options.Midpoint}) " : "")}{MemoryCap.Format(cap.Resolve(peaks))} " +
                   $"(predicted peaks: no checkpointing {MemoryCap.Format(peaks.None)}, tidy {MemoryCap.Format(peaks.Tidy)}, smallest reachable {MemoryCap.Format(peaks.Smallest)}, every stage recomputed {MemoryCap.Format(every)})");
        var request = new PlanRequest { Profile = profile, Cap = cap, ProfileFile = profilePath, Sweep = true };
        var result = CheckpointPlanner.Plan(options.Solver is { } solver ? request with { Solver = solver } : request);
        var plan = result.Plan with { ProfilePath = Path.GetFileName(profilePath) };
        string planPath = Path.Combine(options.OutputFolder, PlanFile.DefaultFileName);
        PlanFile.Write(planPath, plan);
        Say(clock, $"    plan: {BenchMeasurementFile.FormatSegments(plan.Segments, plan.TidyUnits)} ({plan.Solver?.Status}, {plan.Solver?.SolveSeconds:0.000} s; " +
                   $"solved under {MemoryCap.Format(plan.BudgetBytes)}, the cap less a headroom of {MemoryCap.Format(plan.HeadroomBytes)})");

        Say(clock, $"3/4 training {options.TrainSteps} steps with the plan applied");
        TrainWithPlan(target, device.Device, planPath, batch, options.TrainSteps, line => Say(clock, line));

        Say(clock, $"4/4 side by side, {options.BenchSteps} timed steps each (autockpt bench)");
        var strategies = BenchStrategies.ForTidy(plan, profile);
        var measured = new StrategyBench(device).Run(target, plan, strategies, new BenchOptions(batch, options.BenchSteps));
        BenchMeasurementFile.Write(Path.Combine(options.OutputFolder, "bench.measurement.json"), measured);
        var report = BenchAssembler.Assemble(measured, profile, BenchStrategies.TidyModel(plan, profile), plan.MemoryCapBytes, plan.Sweep);
        string table = BenchMarkdown.Write(report);
        AtomicFile.WriteAllText(Path.Combine(options.OutputFolder, "bench.md"), table);
        AtomicFile.WriteAllText(Path.Combine(options.OutputFolder, "bench.json"), BenchJson.Rows(report));
        AtomicFile.WriteAllText(Path.Combine(options.OutputFolder, "bench.svg"), BenchSvg.Write(report));
        Console.WriteLine();
        Console.WriteLine(table);

        var failures = BenchVerdict.Failures(report);
        foreach (var f in failures) Console.WriteLine($"error {ErrorCodes.BenchFailed}: {f}");
        Say(clock, failures.Count == 0 ? "done: the plan fits its cap, matches its prediction, and keeps the gradients." : "done, with the failures above.");
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>What a training app does: apply the plan in one line, then train as before.</summary>
    public static void TrainWithPlan(ICheckpointTarget target, torch.Device device, string planPath, int batchSize, int steps, Action<string> log)
    {
        using var model = Checkpointing.Apply(target.CreateModel(device), planPath);
        using var optimizer = target.CreateOptimizer(model) ?? throw new InvalidOperationException($"{target.Name} has no optimizer.");
        model.train();
        for (int step = 1; step <= steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            var (x, y) = target.CreateBatch(device, batchSize);
            optimizer.zero_grad();
            var loss = target.Loss(model.call(x), y);
            loss.backward();
            optimizer.step();
            if (step == 1 || step % 5 == 0 || step == steps)
                log($"    step {step,3}: loss {loss.item<float>():0.000}");
        }
    }

    private static void Say(Stopwatch clock, string line) => Console.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.0}s] {line}");
}
