using System.Diagnostics;
using System.Globalization;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Profiler.InPlace;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using AutoCkpt.Profiler.Torch;
using AutoCkpt.Units;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler;

/// <summary>
/// Profiles a model from the app's own training loop, with no <c>ICheckpointTarget</c>: a few real steps of the app's
/// step (forward through <c>model.call</c>, loss, backward, optimizer step), measured in place (docs/profiler.md,
/// "Profiling from your own training loop"). The profile it writes is the one <c>autockpt plan</c> and the MSBuild
/// integration read.
/// </summary>
public static class StepProfiler
{
    /// <summary>
    /// Runs <paramref name="step"/> 2 + <see cref="StepProfileOptions.Repeats"/> + min(repeats, 3) times (a warm-up for the
    /// optimizer's state, one that copies each unit's inputs, the measured steps, the self-check's plain steps), measures the units of
    /// <paramref name="model"/> (found as <c>Checkpointing.Apply</c> finds them, or named by
    /// <see cref="StepProfileOptions.Units"/>) and writes the profile to <paramref name="path"/> (atomically). The
    /// steps train: they are steps of the app's training. Errors (<see cref="AckptException"/>): those of the unit finder
    /// (ACKPT008, ACKPT100-102) and the in-place profiler (ACKPT033, ACKPT034, ACKPT110, ACKPT111); ACKPT039 when the
    /// step itself throws; ACKPT029 when <paramref name="path"/> cannot be written (the file is left as it was). Warnings (ACKPT038,
    /// ACKPT031, ACKPT113 when no readable <see cref="StepProfileOptions.Optimizer"/> is given) go to
    /// <see cref="StepProfileOptions.OnWarning"/>.
    /// </summary>
    public static Profile Profile(nn.Module model, Action step, string path, StepProfileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(step);
        options ??= new StepProfileOptions();
        if (options.Repeats < 1) throw new AckptException(ErrorCodes.BadArgument, $"Repeats is {options.Repeats}: it must be at least 1.", path);
        var warn = options.OnWarning ?? (line => Console.Error.WriteLine(line));
        var found = UnitFinder.Find(model, options.Units, path, "StepProfileOptions.Units");
        foreach (var w in NativeModules.Warnings(model)) warn($"{path}: warning {w.Code}: {w.Message}");

        var parameters = model.parameters().ToList();
        var device = ProfilingDevice.Open(parameters.FirstOrDefault()?.device.type == DeviceType.CUDA ? "cuda" : "cpu");
        var meter = new Meter(device.Probe, TimeProvider.System, device.Synchronize);
        var clock = Stopwatch.StartNew();

        // The first step creates the gradients and any optimizer state made lazily. The optimizer's state is read from
        // the optimizer when it is given (TorchSharp's optimizers make theirs when they are created, before this step);
        // otherwise what the step leaves live beyond the gradients stands for it (its activations are gone with the
        // step's dispose scope).
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long growth = meter.Measure(() => Guarded(step, path)).GrowthBytes;
        long gradients = TensorBytes.GradientBytes(parameters);
        long optimizerState;
        if (options.Optimizer is { } optimizer && OptimizerState.Read(optimizer) is { } held)
            optimizerState = held;
        else
        {
            optimizerState = Math.Max(0, growth - gradients);
            warn($"{path}: warning {ErrorCodes.OptimizerStateUnread}: " + (options.Optimizer is null
                ? "no optimizer was given (StepProfileOptions.Optimizer)"
                : $"the optimizer {options.Optimizer.GetType().Name} runs in native code and its state cannot be read") +
                $": its state is read as the growth over the first step less the gradients ({optimizerState} bytes), which misses state made " +
                "when the optimizer was created (TorchSharp's Adam, AdamW, SGD with momentum… make theirs then). Pass the step's optimizer: new StepProfileOptions { Optimizer = optimizer }.");
        }

        var measured = new InPlaceProfiler(meter).Measure(model, found.Units, () => Guarded(step, path), options.Repeats,
            AutoCkpt.Checkpointing.TidyAllowed(model, new CheckpointOptions { NoTidy = options.NoTidy, Units = options.Units, UnitsOrigin = "StepProfileOptions.Units" }));
        var profile = new Profile
        {
            Target = options.Name ?? model.GetType().Name,
            Model = new ModelInfo(found.Fingerprint, measured.Entries.Count),
            Device = device.Info,
            Dtype = DtypeNames.Of(parameters.FirstOrDefault(p => p.is_floating_point())?.dtype ?? ScalarType.Float32),
            BatchSize = measured.InputShape.Count > 0 ? (int)measured.InputShape[0] : 1,
            // Gradients a step sets to none before its forward are made by the backward: the entries' freed bytes count them.
            FixedBytes = new FixedBytes(TensorBytes.Distinct(parameters) + TensorBytes.Distinct(model.buffers()),
                measured.GradientBytesAtStart, optimizerState, measured.InputBytes),
            Stages = measured.Entries,
            Check = measured.Check,
            InputShape = measured.InputShape,
        };
        // Memory only: the plain steps the check times include what the app's step does besides the model (its optimizer step).
        foreach (var w in SelfCheck.Warnings(profile, time: false)) warn($"{path}: warning {w.Code}: {w.Message}");
        string header = string.Create(CultureInfo.InvariantCulture,
            $"StepProfiler.Profile: {found.Description}, {options.Repeats} measured steps of the app's own training step\n" +
            $"measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {device.Info.Name}; profiling took {clock.Elapsed.TotalSeconds:0.##} s; bytes and seconds");
        ProfileFile.Write(path, profile, header);
        return profile;
    }

    private static void Guarded(Action step, string path)
    {
        using var scope = NewDisposeScope();
        try
        {
            step();
        }
        catch (AckptException)
        {
            throw;
        }
        catch (Exception e) when (!OutOfMemory.Is(e))
        {
            throw new AckptException(ErrorCodes.StepFailed, $"the training step threw while profiling: {e.GetType().Name}: {e.Message}", path);
        }
    }
}
