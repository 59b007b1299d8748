using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Profiler.Benchmarking;

namespace AutoCkpt.Profiler.Host;

/// <summary>
/// <c>bench --assembly PATH [--target NAME] [--device cpu|cuda] --plan FILE --strategies "NAME=SEGMENTS;..."
/// [--batch-size N] [--steps N] [--units PATTERNS] --out FILE</c>: runs the strategies' training steps in this process
/// (<see cref="StrategyBench"/>) and writes the measurements (<see cref="BenchMeasurementFile"/>); the "result" message
/// names the file. The strategies are <see cref="BenchMeasurementFile.FormatStrategies"/>'s text.
/// </summary>
internal sealed class BenchVerb : IHostVerb
{
    /// <summary>The default number of timed steps per strategy.</summary>
    public const int DefaultSteps = 10;

    public string Name => "bench";

    public int Run(HostArgs args, HostOutput output)
    {
        var target = TargetRun.LoadTarget(args);
        string planPath = args.Require("plan");
        var plan = PlanFile.Read(planPath);
        int batchSize = args.GetInt("batch-size") ?? plan.BatchSize;
        int steps = args.GetInt("steps") ?? DefaultSteps;
        TargetRun.RequirePositive(("batch-size", batchSize), ("steps", steps));
        var strategies = BenchMeasurementFile.ParseStrategies(args.Require("strategies"));
        string path = args.Require("out");

        var device = TargetRun.OpenDevice(args, plan.Device.Type);
        var progress = new SyncProgress<BenchStep>(s => output.Progress(s.Phase, s.Index, s.Count, s.Strategy));
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        var measurement = TargetRun.Run(device, target, batchSize, "benchmarking",
            () => new StrategyBench(device, progress).Run(target, plan, strategies, new BenchOptions(batchSize, steps) { Units = TargetRun.Units(args) }));
        BenchMeasurementFile.Write(path, measurement);
        output.Result(Path.GetFullPath(path), System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds);
        return HostExitCodes.Ok;
    }
}
