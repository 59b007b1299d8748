using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.InPlace;
using AutoCkpt.Profiler.Torch;
using AutoCkpt.Units;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// Profiles a target's model on one device with the real batch (docs/profiler.md): one warm-up training step
/// (which also creates the gradients and, through one optimizer step, the optimizer state), then each stage on its
/// real input (<see cref="StageMeasurer"/>), then the self-check: whole forwards and steps of the stage chain.
/// Before all that, <see cref="ForwardCheck"/> checks that the stages compute the model's forward.
/// The cost is about 7 + repeats + (1 + min(repeats, 3)) training steps (docs/profiler.md), and 2 + 3 × max(8, 2 × repeats)
/// whole steps more for the step time (<see cref="StepTimeCalibration"/>; 1 + 2 × max(8, 2 × repeats) where the units cannot
/// run as one segment).
/// </summary>
public sealed class ModelProfiler(Meter meter, IProgress<ProfilerStep>? progress = null)
{
    /// <summary>Whole forwards run to read the chain's memory (input freed, forward retained); their median counts.</summary>
    private const int MemoryPasses = 2;

    /// <summary>Measured passes per stage as a recompute segment runs it (memory only); their median counts.</summary>
    private const int RecomputeRepeats = 3;

    /// <summary>Whole steps timed for the self-check, at most; their median counts.</summary>
    private const int CheckSteps = 3;

    private readonly List<AckptException> _warnings = [];

    /// <summary>Seconds the last <see cref="Run"/>'s forward check took (<see cref="ForwardCheck"/>; 0 for units in place).</summary>
    public double ForwardCheckSeconds { get; private set; }

    /// <summary>Seconds the last <see cref="Run"/> spent measuring the save-matmuls option (<see cref="SaveMatmulsMeasure"/>).</summary>
    public double SaveMatmulsSeconds { get; private set; }

    /// <summary>Seconds the last <see cref="Run"/> spent measuring the sub-module option (<see cref="SubModuleMeasure"/>).</summary>
    public double SubModuleSeconds { get; private set; }

    /// <summary>The warnings of the last <see cref="Run"/> (ACKPT038: a native module whose layers cannot be units).</summary>
    public IReadOnlyList<AckptException> Warnings => _warnings;

    /// <summary>
    /// A model that is neither a Sequential nor an IStagedModel: its units are found as it is written
    /// (<see cref="UnitFinder"/>) and measured where they run (<see cref="InPlaceProfiler"/>), over training steps of
    /// its own forward, the target's loss and the backward.
    /// </summary>
    private Profile RunInPlace(ICheckpointTarget target, nn.Module<Tensor, Tensor> model, Tensor input, Tensor label, Device device, DeviceInfo deviceInfo,
        ProfileOptions options, CheckpointOptions unitOptions)
    {
        var found = UnitFinder.Find(model, unitOptions.Units, null, unitOptions.UnitsOrigin);
        ForwardCheckSeconds = 0;
        var (optimizer, fixedBytes) = WarmUp(target, model, input, label, device, found.Count);
        using var disposeOptimizer = optimizer;
        var parameters = model.parameters().ToList();
        var tidyAllowed = AutoCkpt.Checkpointing.TidyAllowed(model, unitOptions);
        var inPlace = new InPlaceProfiler(meter, progress);
        var measured = inPlace.Measure(model, found.Units,
            () => target.Loss(model.call(input), label).backward(), options.Repeats, tidyAllowed);
        SaveMatmulsSeconds = inPlace.SaveMatmulsSeconds;
        SubModuleSeconds = inPlace.SubModuleSeconds;
        var stepTime = MeasureStepTime(target, model, input, label, measured.Entries, options, unitOptions);
        return new Profile
        {
            Target = target.Name,
            Model = new ModelInfo(found.Fingerprint, measured.Entries.Count),
            Device = deviceInfo,
            Dtype = DtypeNames.Of(parameters.FirstOrDefault(p => p.is_floating_point())?.dtype ?? ScalarType.Float32),
            BatchSize = options.BatchSize,
            FixedBytes = fixedBytes,
            Stages = measured.Entries,
            Check = measured.Check,
            InputShape = [.. input.shape],
            StepTime = stepTime,
        };
    }

    /// <summary>
    /// One warm-up step (so that lazily made state exists), then the optimizer and its state, and the fixed bytes:
    /// parameters and buffers (each once), gradients, optimizer state and the batch.
    /// </summary>
    private (IDisposable? Optimizer, FixedBytes Fixed) WarmUp(ICheckpointTarget target, nn.Module<Tensor, Tensor> model, Tensor input, Tensor label, Device device, int units)
    {
        progress?.Report(new ProfilerStep("warm-up", 0, units, null));
        using (NewDisposeScope()) target.Loss(model.call(input), label).backward();
        var (optimizer, optimizerState) = OptimizerState.Create(target, model, device, meter);
        var parameters = model.parameters().ToList();
        return (optimizer, new FixedBytes(
            TensorBytes.Distinct(parameters) + TensorBytes.Distinct(model.buffers()),
            TensorBytes.GradientBytes(parameters),
            optimizerState,
            TensorBytes.Of(input) + TensorBytes.Of(label)));
    }

    /// <summary>
    /// Measures <paramref name="target"/> on <paramref name="device"/>. Throws <see cref="AckptException"/> ACKPT008 when
    /// the model has no stages, and ACKPT035, ACKPT036 or ACKPT037 when its stages do not compute its forward
    /// (<see cref="ForwardCheck"/>); libtorch's own exceptions (out of memory among them) pass through.
    /// </summary>
    public Profile Run(ICheckpointTarget target, Device device, DeviceInfo deviceInfo, ProfileOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        torch.manual_seed(target.Seed);
        if (device.type == DeviceType.CUDA) torch.cuda.manual_seed_all(target.Seed);

        using var scope = NewDisposeScope();
        using var model = target.CreateModel(device);
        model.train();
        _warnings.Clear();
        _warnings.AddRange(NativeModules.Warnings(model));
        var (input, label) = target.CreateBatch(device, options.BatchSize);
        // Unit patterns (the run's or the target's) name the units: they are measured where they run, whatever the model.
        var unitOptions = TargetUnits.Options(target, options.Units, options.UnitsOrigin);
        if (unitOptions.Units.Count > 0 || model is not (IStagedModel or TorchSharp.Modules.Sequential))
            return RunInPlace(target, model, input, label, device, deviceInfo, options, unitOptions);
        var stages = ModelStages.Of(model);

        progress?.Report(new ProfilerStep("forward check", 0, stages.Count, null));
        bool[] inputHeld = [];
        ForwardCheckSeconds = meter.Time(() => inputHeld = ForwardCheck.Run(model, stages, input));

        var (optimizer, fixedBytes) = WarmUp(target, model, input, label, device, stages.Count);
        using var disposeOptimizer = optimizer;

        var parameters = model.parameters().ToList();

        var tidyAllowed = AutoCkpt.Checkpointing.TidyAllowed(model, unitOptions);
        var (stageProfiles, stageSpread) = MeasureStages(stages, tidyAllowed, input, output => target.Loss(output, label), options);
        progress?.Report(new ProfilerStep("check", 0, stages.Count, null));
        var (check, inputFreed) = MeasureCheck(target, stages, input, label, options.Repeats);
        var savedOutput = MeasureSavedOutputs(stages, input);
        check = check with { StageSecondsSpread = stageSpread };
        // A stage input the model's forward holds to the end of the step (a ModuleList loop) is freed neither with its
        // handle nor in the stage's backward (docs/cost-model.md, "Tensors held by two").
        stageProfiles = stageProfiles.Select((s, i) => s with
        {
            InputFreedBytes = inputFreed[i],
            SavedOutputBytes = savedOutput[i].Saved,
            SavedOutputFreedEarlyBytes = savedOutput[i].FreedEarly,
            InputHeldBytes = i > 0 && inputHeld[i] ? stageProfiles[i - 1].OutputBytes : 0,
        }).ToList();
        var stepTime = MeasureStepTime(target, model, input, label, stageProfiles, options, unitOptions);

        return new Profile
        {
            Target = target.Name,
            Model = new ModelInfo(ModelStages.Fingerprint(stages), stages.Count),
            Device = deviceInfo,
            Dtype = DtypeNames.Of(parameters.FirstOrDefault(p => p.is_floating_point())?.dtype ?? ScalarType.Float32),
            BatchSize = options.BatchSize,
            FixedBytes = fixedBytes,
            Stages = stageProfiles,
            Check = check,
            InputShape = [.. input.shape],
            StepTime = stepTime,
        };
    }

    /// <summary>
    /// The step's time in whole steps with no plan and with the units recomputed (<see cref="StepTimeCalibration"/>), the
    /// units found as the profile found them (<paramref name="unitOptions"/>: the target's or the run's patterns).
    /// </summary>
    private StepTimeFigures? MeasureStepTime(ICheckpointTarget target, nn.Module<Tensor, Tensor> model, Tensor input, Tensor label, IReadOnlyList<StageProfile> stages, ProfileOptions options, CheckpointOptions unitOptions)
    {
        progress?.Report(new ProfilerStep("step time", 0, stages.Count, null));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return new StepTimeCalibration(meter).Measure(model, stages, () => target.Loss(model.call(input), label).backward(), options.Repeats, unitOptions);
    }

    /// <summary>Every stage's figures, and Σ of their timing spreads (<see cref="StageMeasurer.LastTimeSpreadSeconds"/>) in seconds.</summary>
    private (List<StageProfile> Profiles, double Spread) MeasureStages(IReadOnlyList<Stage> stages, IReadOnlyList<bool> tidyAllowed, Tensor batchInput, Func<Tensor, Tensor> loss, ProfileOptions options)
    {
        var measurer = new StageMeasurer(meter);
        var saveMatmuls = new SaveMatmulsMeasure(measurer, options);
        var subModules = new SubModuleMeasure(measurer, meter, options);
        SaveMatmulsSeconds = 0;
        var profiles = new List<StageProfile>(stages.Count);
        var keys = new List<string?>(stages.Count);
        double spread = 0;
        Tensor x = batchInput;
        for (int i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            progress?.Report(new ProfilerStep("stage", i, stages.Count, stage.Name));
            // Undisposed tensors of user code are freed by finalizers; let that happen now, not during a reading.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Tensor input = x;
            bool isBatch = i == 0;
            bool isLast = i + 1 == stages.Count;
            var plain = measurer.Measure(stage.Name, () => new TorchStagePass(stage.Module, input, isBatch, isLast ? loss : null), options.Warmups, options.Repeats);
            keys.Add(IdenticalUnits.Key(stage.Module, [input], (isBatch ? "batch" : "chained") + (isLast ? "+loss" : "")));
            // Every stage's backward makes its output gradient itself (from the loss, or from (output × 1).sum():
            // TorchStagePass), as the chain's next stage does; the cost model counts that gradient apart (the loss
            // gradient is made, then each stage's input gradient), so it is not counted twice.
            plain = plain with { BackwardTransientBytes = Math.Max(0, plain.BackwardTransientBytes - plain.OutputBytes) };
            spread += measurer.LastTimeSpreadSeconds;
            // Memory only (times are the plain pass's): a few passes, since byte counts hardly vary.
            var inRecompute = measurer.Measure(stage.Name, () => new RecomputeStagePass(stage.Module, input, isBatch), options.Warmups, Math.Min(options.Repeats, RecomputeRepeats));
            // The same as an inner stage of a multi-unit segment runs it (no stage after the last is inner).
            var asInner = isLast ? null : measurer.Measure(stage.Name, () => new RecomputeStagePass(stage.Module, input, isBatch, inner: true), options.Warmups, Math.Min(options.Repeats, RecomputeRepeats));
            // Kept and tidy (memory only): as the plain pass, with every handle the stage made but its output disposed.
            TidyFigures? tidy = null;
            if (tidyAllowed[i])
            {
                var t = measurer.Measure(stage.Name, () => new TorchStagePass(stage.Module, input, isBatch, isLast ? loss : null, tidy: true), options.Warmups, Math.Min(options.Repeats, RecomputeRepeats));
                tidy = new TidyFigures(t.RetainedBytes, t.ForwardTransientBytes, Math.Max(0, t.BackwardTransientBytes - t.OutputBytes), t.BackwardFreedBytes);
            }
            profiles.Add(plain with
            {
                Recompute = InnerStageFigures.Of(inRecompute, asInner),
                Tidy = tidy,
                TidyAllowed = tidyAllowed[i],
                SaveMatmuls = saveMatmuls.Of(stage.Name, UnitCall.Of(stage.Module), input, !isBatch && input.is_floating_point(), plain.ForwardSeconds) is { } m
                    ? m with { RecomputeSeconds = Math.Round(m.RecomputeSeconds, 7) }
                    : null,
                SubModules = subModules.Of(stage.Name, UnitCall.Of(stage.Module), input, isBatch ? PassInput.Batch : PassInput.Chained, tidyAllowed[i], isLast ? loss : null, plain.ForwardSeconds),
            });
            if (isLast) break;
            using (NewDisposeScope())
            using (no_grad())
                x = stage.Module.call(input).MoveToOuterDisposeScope();
            if (!ReferenceEquals(input, batchInput) && !ReferenceEquals(input, x)) input.Dispose();
        }
        SaveMatmulsSeconds = saveMatmuls.Seconds;
        SubModuleSeconds = subModules.Seconds;
        // Identical stages share their times (IdenticalUnits): the planner must not pick among them by timing noise.
        return (IdenticalUnits.PoolTimes(profiles, keys), spread);
    }

    /// <summary>
    /// Per stage but the last, the bytes of its output that its own autograd saves and the part its backward frees before
    /// its peak (<see cref="SavedOutput"/>), each from its real input. Measured after every stage pass, whose readings its
    /// extra forwards would otherwise shift.
    /// </summary>
    private (long Saved, long FreedEarly)[] MeasureSavedOutputs(IReadOnlyList<Stage> stages, Tensor batchInput)
    {
        var saved = new (long Saved, long FreedEarly)[stages.Count];
        Tensor x = batchInput;
        for (int i = 0; i + 1 < stages.Count; i++)
        {
            Tensor input = x;
            saved[i] = SavedOutput.Measure(meter, UnitCall.Of(stages[i].Module), input, i > 0 && input.is_floating_point());
            using (NewDisposeScope())
            using (no_grad())
                x = stages[i].Module.call(input).MoveToOuterDisposeScope();
            if (!ReferenceEquals(input, batchInput) && !ReferenceEquals(input, x)) input.Dispose();
        }
        if (!ReferenceEquals(x, batchInput)) x.Dispose();
        return saved;
    }

    /// <summary>
    /// Whole forwards and steps of the stage chain as the runtime runs it (each stage output disposed once the next
    /// stage consumed it; the same as a Sequential's forward): live growth over the forward, and step seconds.
    /// </summary>
    private (ProfileCheck Check, long[] InputFreed) MeasureCheck(ICheckpointTarget target, IReadOnlyList<Stage> stages, Tensor input, Tensor label, int repeats)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var retained = new List<long>();
        var freed = Enumerable.Range(0, stages.Count).Select(_ => new List<long>()).ToArray();
        for (int r = 0; r < Math.Min(repeats, MemoryPasses); r++)
        {
            using var pass = NewDisposeScope();
            long before = meter.LiveBytes();
            Tensor current = input;
            for (int i = 0; i < stages.Count; i++)
            {
                var next = stages[i].Module.call(current);
                if (!ReferenceEquals(current, input) && !ReferenceEquals(current, next))
                {
                    long held = meter.LiveBytes();
                    current.Dispose();
                    freed[i].Add(Math.Max(0, held - meter.LiveBytes()));
                }
                current = next;
            }
            if (current.requires_grad) target.Loss(current, label); // what the loss saves is the last stage's (TorchStagePass)
            retained.Add(meter.LiveBytes() - before);
        }

        var seconds = new List<double>(repeats);
        for (int r = 0; r < Math.Min(repeats, CheckSteps); r++)
        {
            using var step = NewDisposeScope();
            Tensor? output = null;
            double forward = meter.Time(() => output = RunChain(stages, input));
            double rest = meter.Time(() => target.Loss(output!, label).backward());
            seconds.Add(forward + rest);
        }
        var check = new ProfileCheck(Math.Max(0, Median.Of(retained)), Median.Of(seconds)) { StepSecondsSpread = seconds.Max() - seconds.Min() };
        return (check, freed.Select(f => f.Count == 0 ? 0 : Median.Of(f)).ToArray());
    }

    /// <summary>
    /// Runs the target's optimizer once on a one-weight module, so that what its code allocates on first use (kernel
    /// setup, caches) is not counted as the model's optimizer state. Any failure only skips the warm-up.
    /// </summary>
    private static Tensor RunChain(IReadOnlyList<Stage> stages, Tensor input)
    {
        Tensor current = input;
        foreach (var stage in stages)
        {
            var next = stage.Module.call(current);
            if (!ReferenceEquals(current, input) && !ReferenceEquals(current, next)) current.Dispose();
            current = next;
        }
        return current;
    }

}
