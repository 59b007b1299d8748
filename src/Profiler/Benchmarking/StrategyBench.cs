using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Benchmarking;

/// <summary>
/// Runs real training steps of several strategies on one model, in one process, and measures each with the
/// profiler's meter (docs/benchmarks.md). One model and optimizer are shared (the optimizer made after the gradient
/// check, as the profiler makes it, so that the fixed bytes agree): every strategy wraps the same
/// parameters with <see cref="Checkpointing.Apply{T}(T, Plan, string?, Action{string}?, CheckpointOptions?)"/> ("none"
/// runs the plain model). First one step per strategy on the same batch and seed, before any optimizer step, gives
/// the gradient differences; then warm-up and timed steps run round-robin in rotating order, so drift in the
/// machine's speed falls on all strategies alike. Memory is reported on the profile's scale: the fixed bytes
/// (parameters, buffers, gradients, optimizer state, batch: measured as the profiler does) plus the step's rise
/// above what was live when it started. A reading against a zero taken before the model was made would also carry
/// whatever the process freed or allocated since (the CLR's JIT, earlier work in the process): seen to shift
/// readings by 7 MB after an in-process profile.
/// </summary>
public sealed class StrategyBench(ProfilingDevice device, IProgress<BenchStep>? progress = null)
{
    private readonly Meter _meter = new(device.Probe, ProcessCpuClock.FromEnvironment(), device.Synchronize);

    /// <summary>
    /// Measures <paramref name="strategies"/> (named as in a plan's baselines; the last is reported with losses) on
    /// <paramref name="target"/>'s model. <paramref name="plan"/> gives the model fingerprint the segments are for.
    /// Throws <see cref="AckptException"/> from Apply (ACKPT004/005/006/008) when segments do not fit the model.
    /// </summary>
    public BenchMeasurement Run(ICheckpointTarget target, Plan plan, IReadOnlyList<BenchStrategy> strategies, BenchOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        if (strategies.Count == 0) throw new ArgumentException("no strategies to measure.", nameof(strategies));
        torch.manual_seed(target.Seed);
        if (device.Device.type == DeviceType.CUDA) torch.cuda.manual_seed_all(target.Seed);

        int rounds = 1 + options.Warmups + options.Steps + (options.Trace ? 1 : 0);
        var batches = Enumerable.Range(0, rounds).Select(_ => HostBatch(target, options.BatchSize)).ToList();

        using var model = target.CreateModel(device.Device);
        model.train();
        var options2 = Profiling.TargetUnits.Options(target, options.Units, options.UnitsOrigin);
        var runs = strategies.Select(s => new StrategyRun(s, model, Activation(model, plan, s, options2))).ToList();
        foreach (var run in runs) run.Activate(); // each plan is checked against the model before anything runs
        Checkpointing.Remove(model);
        try
        {
            return Measure(target, options, batches, model, runs);
        }
        finally
        {
            Checkpointing.Remove(model);
        }
    }

    private BenchMeasurement Measure(ICheckpointTarget target, BenchOptions options, List<(Tensor, Tensor)> batches, nn.Module<Tensor, Tensor> model, List<StrategyRun> runs)
    {
        using var step = new TrainingStep(target, model, _meter, device.Device);
        try
        {
            GradientCheck.Run(step, runs, batches[0], target.Seed + 1, progress);
            step.CreateOptimizer(batches[0]);
            int round = 1;
            for (int w = 0; w < options.Warmups; w++, round++)
                RunRound(step, runs, batches[round], round, "warm-up round", w, options.Warmups, timed: false);
            var losses = new List<double>(options.Steps);
            for (int s = 0; s < options.Steps; s++, round++)
                losses.Add(RunRound(step, runs, batches[round], round, "timed round", s, options.Steps, timed: true));
            if (options.Trace)
                foreach (var run in runs)
                {
                    progress?.Report(new BenchStep("trace", 0, 1, run.Strategy.Name));
                    run.Activate();
                    run.Trace = step.Traced(run.Module, batches[round]);
                }
            return new BenchMeasurement(target.Name, device.Info, options.BatchSize, options.Steps, step.FixedBytes,
                runs.Select(r => r.ToMeasurement()).ToList(), losses);
        }
        finally
        {
            foreach (var (x, y) in batches) { x.Dispose(); y.Dispose(); }
        }
    }

    private double RunRound(TrainingStep step, List<StrategyRun> runs, (Tensor, Tensor) batch, int round, string phase, int index, int count, bool timed)
    {
        double lastLoss = double.NaN;
        for (int k = 0; k < runs.Count; k++)
        {
            var run = runs[(k + round) % runs.Count];
            progress?.Report(new BenchStep(phase, index, count, run.Strategy.Name));
            run.Activate();
            var (seconds, peak, loss) = step.Timed(run.Module, batch);
            if (timed) run.Add(seconds, peak);
            if (ReferenceEquals(run, runs[^1])) lastLoss = loss;
        }
        return lastLoss;
    }

    /// <summary>
    /// What puts a strategy's plan on the model (in place, so the strategies share one model): "none" removes any
    /// plan; every other strategy applies its segments, its kept units tidy as it says. Run before each of its steps,
    /// outside the timed part.
    /// </summary>
    private static Action Activation(nn.Module<Tensor, Tensor> model, Plan plan, BenchStrategy strategy, CheckpointOptions options) =>
        strategy.Name == "none"
            ? () => Checkpointing.Remove(model)
            : () =>
            {
                Checkpointing.Remove(model);
                Checkpointing.Apply(model, plan with { Segments = strategy.Segments, TidyUnits = strategy.Tidy }, onWarning: _ => { }, options: options);
            };

    /// <summary>A batch made once on the CPU; each step copies it to the device inside its own scope, so it counts.</summary>
    private static (Tensor, Tensor) HostBatch(ICheckpointTarget target, int batchSize)
    {
        using var scope = NewDisposeScope();
        var (x, y) = target.CreateBatch(CPU, batchSize);
        return (x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope());
    }

    internal static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
