using AutoCkpt.Formats;
using AutoCkpt.Hosting;
using AutoCkpt.Profiler.Benchmarking;
using AutoCkpt.Profiler.Torch;

namespace AutoCkpt.Profiler.Host;

/// <summary>
/// <c>bench --assembly PATH [--target NAME] [--device cpu|cuda] --plan FILE --strategies "NAME=SEGMENTS;..."
/// [--batch-size N] [--steps N] --out FILE</c>: runs the strategies' training steps in this process
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
        var assembly = HostAssemblyResolver.LoadApp(args.Require("assembly"));
        var target = TargetLocator.Select(assembly, args.Get("target"));
        string planPath = args.Require("plan");
        var plan = PlanFile.Read(planPath);
        int batchSize = args.GetInt("batch-size") ?? plan.BatchSize;
        int steps = args.GetInt("steps") ?? DefaultSteps;
        if (batchSize < 1 || steps < 1)
            throw new AckptException(ErrorCodes.BadArgument, $"--batch-size ({batchSize}) and --steps ({steps}) must be at least 1.");
        var strategies = BenchMeasurementFile.ParseStrategies(args.Require("strategies"));
        string path = args.Require("out");

        var device = ProfilingDevice.Open(args.Get("device") ?? plan.Device.Type);
        var progress = new SyncProgress(s => output.Progress(s.Phase, s.Index, s.Count, s.Strategy));
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        BenchMeasurement measurement;
        try
        {
            measurement = new StrategyBench(device, progress).Run(target, plan, strategies, new BenchOptions(batchSize, steps));
        }
        catch (Exception e) when (e is not AckptException && OutOfMemory.Is(e))
        {
            throw new AckptException(ErrorCodes.OutOfMemory,
                $"the {device.Info.Type} device ran out of memory benchmarking '{target.Name}' at batch size {batchSize}: try a smaller --batch-size. ({HostProgram.FirstLine(e)})");
        }
        BenchMeasurementFile.Write(path, measurement);
        output.Result(Path.GetFullPath(path), System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds);
        return HostExitCodes.Ok;
    }

    private sealed class SyncProgress(Action<BenchStep> report) : IProgress<BenchStep>
    {
        public void Report(BenchStep value) => report(value);
    }
}
