using AutoCkpt.Formats;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// Profiles a target's model on one device with the real batch (docs/profiler.md): one warm-up training step
/// (which also creates the gradients and, through one optimizer step, the optimizer state), then each stage on its
/// real input (<see cref="StageMeasurer"/>), then the self-check: whole forwards and steps of the model as it is.
/// The cost is about 2 + 2 × repeats training steps.
/// </summary>
public sealed class ModelProfiler(Meter meter, IProgress<ProfilerStep>? progress = null)
{
    /// <summary>
    /// Measures <paramref name="target"/> on <paramref name="device"/>. Throws <see cref="AckptException"/> ACKPT008 when
    /// the model has no stages; libtorch's own exceptions (out of memory among them) pass through.
    /// </summary>
    public Profile Run(ICheckpointTarget target, Device device, DeviceInfo deviceInfo, ProfileOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        torch.manual_seed(target.Seed);
        if (device.type == DeviceType.CUDA) torch.cuda.manual_seed_all(target.Seed);

        using var scope = NewDisposeScope();
        using var model = target.CreateModel(device);
        model.train();
        var stages = ModelStages.Of(model);
        var (input, label) = target.CreateBatch(device, options.BatchSize);

        progress?.Report(new ProfilerStep("warm-up", 0, stages.Count, null));
        using (NewDisposeScope()) target.Loss(model.call(input), label).backward();
        // Optimizers may allocate their state when created or at their first step: measure across both.
        optim.Optimizer? optimizer = null;
        long optimizerGrowth = meter.Measure(() =>
        {
            optimizer = target.CreateOptimizer(model);
            optimizer?.step();
        }).GrowthBytes;
        long optimizerState = optimizer is null ? 0 : Math.Max(0, optimizerGrowth);
        using var disposeOptimizer = optimizer;

        var parameters = model.parameters().ToList();
        var fixedBytes = new FixedBytes(
            parameters.Sum(Bytes) + model.buffers().Sum(Bytes),
            parameters.Select(p => p.grad).OfType<Tensor>().Sum(Bytes),
            optimizerState,
            Bytes(input) + Bytes(label));

        var stageProfiles = MeasureStages(stages, input, options);
        progress?.Report(new ProfilerStep("check", 0, stages.Count, null));
        var check = MeasureCheck(target, model, input, label, options.Repeats);

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
        };
    }

    private List<StageProfile> MeasureStages(IReadOnlyList<Stage> stages, Tensor batchInput, ProfileOptions options)
    {
        var measurer = new StageMeasurer(meter);
        var profiles = new List<StageProfile>(stages.Count);
        Tensor x = batchInput;
        for (int i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            progress?.Report(new ProfilerStep("stage", i, stages.Count, stage.Name));
            // Undisposed tensors of user code are freed by finalizers; let that happen now, not during a reading.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Tensor input = x;
            // The batch does not require grad in training, so the first stage runs without an input gradient.
            bool requiresGrad = i > 0 && input.is_floating_point();
            profiles.Add(measurer.Measure(stage.Name, () => new TorchStagePass(stage.Module, input, requiresGrad), options.Warmups, options.Repeats));
            if (i + 1 == stages.Count) break;
            using (NewDisposeScope())
            using (no_grad())
                x = stage.Module.call(input).MoveToOuterDisposeScope();
            if (!ReferenceEquals(input, batchInput) && !ReferenceEquals(input, x)) input.Dispose();
        }
        return profiles;
    }

    private ProfileCheck MeasureCheck(ICheckpointTarget target, nn.Module<Tensor, Tensor> model, Tensor input, Tensor label, int repeats)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var retained = new List<long>(repeats);
        var seconds = new List<double>(repeats);
        for (int r = 0; r < repeats; r++)
        {
            using var step = NewDisposeScope();
            Tensor? output = null;
            var forward = meter.Measure(() => output = model.call(input));
            double rest = meter.Time(() => target.Loss(output!, label).backward());
            retained.Add(forward.GrowthBytes);
            seconds.Add(forward.Seconds + rest);
        }
        return new ProfileCheck(Math.Max(0, Median.Of(retained)), Median.Of(seconds));
    }

    private static long Bytes(Tensor t) => t.NumberOfElements * t.ElementSize;
}
