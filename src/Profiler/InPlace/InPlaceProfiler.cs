using AutoCkpt.InPlace;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using AutoCkpt.Recompute;
using AutoCkpt.Units;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.InPlace;

/// <summary>
/// Profiles a model's units where they run: real steps of the model's own forward and backward (a step delegate:
/// a target's forward, loss and backward, or an app's own training step), with hooks on the model and its units and
/// backward marks (<see cref="BackwardMark"/>), so that each unit's forward and backward time are measured in place, and
/// what runs between units (an embedding, rotary tables, a final norm, a tied head, the loss) is measured too and enters
/// the profile as keep-only entries (<c>recompute_allowed: false</c>, <c>tidy_allowed: false</c>), named
/// "(before P)", "(after P)" for the unit P they follow or precede. Each unit's bytes (plain, recompute and tidy) are
/// measured by the isolated passes on the inputs it had in the real step (docs/profiler.md, "Units in place").
/// </summary>
public sealed class InPlaceProfiler(Meter meter, IProgress<ProfilerStep>? progress = null)
{
    /// <summary>
    /// Measured passes per unit, plain, as a recompute segment and as a tidy unit runs it (memory only). Five, not three:
    /// a transient is the highest over them (StageMeasurer.TransientsAfterIdle), and an operation whose scratch memory
    /// depends on a race between its threads reads its higher figure in only some passes (suite-wavenet's dilated convs:
    /// 50 of its 60 such figures over five profiles; docs/profiler.md, "Transients after idle").
    /// </summary>
    private const int MemoryRepeats = 5;

    /// <summary>Seconds the last profile spent measuring the save-matmuls option.</summary>
    public double SaveMatmulsSeconds { get; private set; }

    /// <summary>Seconds the last profile spent measuring the sub-module option.</summary>
    public double SubModuleSeconds { get; private set; }

    /// <summary>
    /// Measures <paramref name="units"/> of <paramref name="model"/> over runs of <paramref name="step"/>, which must call
    /// the model once through <c>call()</c>, compute a loss and run its backward (it may also step an optimizer). The
    /// first run is a warm-up that checks the calls and copies the units' inputs; then <paramref name="repeats"/>
    /// measured runs, and up to 3 runs with no hooks for the self-check. Errors (<see cref="AckptException"/>):
    /// ACKPT111 the step did not call the model exactly once; ACKPT033 a unit called another number of times than once;
    /// ACKPT034 units called in another order than listed; ACKPT110 a unit that returns something other than a tensor.
    /// </summary>
    public InPlaceMeasurement Measure(nn.Module model, IReadOnlyList<Unit> units, Action step, int repeats, IReadOnlyList<bool> tidyAllowed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        if (units.Count == 0) throw new ArgumentException("no units.", nameof(units));
        var recorder = new StepRecorder(meter, model, units);
        try
        {
            progress?.Report(new ProfilerStep("warm-up", 0, units.Count, null));
            recorder.Mode = RecorderMode.Capture;
            recorder.ResetCounts();
            Run(step);
            CheckCalls(recorder, units);
            var usedLater = UsedLater(recorder, units, step);

            var laps = new List<StepLaps>(repeats);
            recorder.Mode = RecorderMode.Measure;
            for (int r = 0; r < repeats; r++)
            {
                progress?.Report(new ProfilerStep("steps", r, repeats, null));
                Settle();
                recorder.ResetCounts();
                var l = new StepLaps(units.Count);
                recorder.Laps = l;
                Run(step);
                DeferredDisposal.Flush();
                l.End = meter.Lap();
                recorder.Laps = null;
                if (recorder.BackwardFailure is { } failure)
                    throw new InvalidOperationException($"a backward mark failed: {failure.Message}", failure);
                CheckCalls(recorder, units);
                laps.Add(l);
            }
            recorder.Dispose();

            var inPlaceEntries = new InPlaceEntries(meter);
            var entries = inPlaceEntries.Of(recorder, units, laps);
            var skipGradients = inPlaceEntries.SkipGradients(recorder, usedLater, laps);
            var unitFigures = MeasureUnits(recorder, units, tidyAllowed);
            var profiles = new List<StageProfile>();
            foreach (var e in entries)
                profiles.Add(e.Unit is int u ? unitFigures[u] with
                {
                    OutputUsedLater = usedLater[u],
                    SkipGradientBytes = skipGradients[u],
                    ForwardSeconds = e.Forward,
                    BackwardSeconds = e.Backward,
                    // Measured as a share of the unit's forward (MeasureUnits), now scaled by it.
                    SaveMatmuls = unitFigures[u].SaveMatmuls is { } m ? m with { RecomputeSeconds = Math.Round(m.RecomputeSeconds * e.Forward, 7) } : null,
                    SubModules = [.. unitFigures[u].SubModules.Select(c => c with { RecomputeSeconds = Math.Round(c.RecomputeSeconds * e.Forward, 7) })],
                } : e.Profile!);
            // Identical units share their times (IdenticalUnits): the planner must not pick among them by timing noise.
            // A unit's forward time includes the model's own loop up to the next unit, which the last unit's does not:
            // microseconds, pooled all the same.
            var keys = entries.Select(e => e.Unit is int u
                ? IdenticalUnits.Key(units[u].Module, recorder.Captured[u], recorder.FirstRequiresGrad[u] ? "chained" : "batch")
                : null).ToList();
            profiles = IdenticalUnits.PoolTimes(profiles, keys);
            recorder.ReleaseCopies();

            progress?.Report(new ProfilerStep("check", 0, units.Count, null));
            var check = MeasureCheck(step, laps, recorder.OutputBytes);
            return new InPlaceMeasurement(profiles, recorder.InputShape, recorder.InputBytes, check, recorder.GradientBytesAtStart);
        }
        finally
        {
            recorder.Dispose();
            recorder.ReleaseCopies();
        }
    }

    /// <summary>Per unit: whether the forward uses its output again after the next unit (<see cref="LaterUseProbe"/>; one step, calls counted).</summary>
    private bool[] UsedLater(StepRecorder recorder, IReadOnlyList<Unit> units, Action step)
    {
        using var probe = new LaterUseProbe(units, recorder.Chained);
        if (!probe.Any) return new bool[units.Count];
        progress?.Report(new ProfilerStep("outputs used later", 0, units.Count, null));
        recorder.Mode = RecorderMode.Count;
        recorder.ResetCounts();
        var used = probe.Run(step);
        CheckCalls(recorder, units);
        return used;
    }

    private static void Run(Action step)
    {
        using var scope = NewDisposeScope();
        step();
    }

    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    private static void CheckCalls(StepRecorder recorder, IReadOnlyList<Unit> units)
    {
        if (recorder.ModelCalls != 1)
            throw new AckptException(ErrorCodes.StepModelCalls,
                $"the step called the model {recorder.ModelCalls} times through call(); the in-place profiler needs one forward of the model per step " +
                "(call the model through model.call(x), not model.forward(x), once per step).");
        for (int i = 0; i < units.Count; i++)
            if (recorder.Calls[i] != 1)
                throw new AckptException(ErrorCodes.UnitCallCountInPlace,
                    $"unit '{units[i].Path}' ({units[i].Module.GetType().Name}) ran {recorder.Calls[i]} times in one step; a unit must run exactly once per step, " +
                    (recorder.Calls[i] == 0
                        ? "through call() (a forward that calls forward() directly, or skips the module, bypasses it): call it with .call(...), or name other units."
                        : "and a module the forward calls several times (a weight-shared block) cannot be one unit: name its parts as units, or leave it out."));
        for (int k = 0; k < recorder.Order.Count; k++)
            if (recorder.Order[k] != k)
                throw new AckptException(ErrorCodes.UnitOrderInPlace,
                    $"the forward ran unit '{units[recorder.Order[k]].Path}' where unit '{units[k].Path}' comes in the units' order " +
                    $"({string.Join(", ", units.Select(u => u.Path).Take(8))}{(units.Count > 8 ? ", …" : "")}); the units must run in the order they are listed.");
        for (int i = 0; i < units.Count; i++)
            if (recorder.OutputTypes[i] is { } type && type != typeof(Tensor) && !type.IsSubclassOf(typeof(Tensor)))
                throw new AckptException(ErrorCodes.UnitOutputNotTensor,
                    $"unit '{units[i].Path}' returns {type.Name}, not a tensor: a unit's output must be one tensor to be measured and planned.");
    }

    /// <summary>Each unit's bytes from the isolated passes (plain, recompute, tidy) on the inputs it had in the real step.</summary>
    private List<StageProfile> MeasureUnits(StepRecorder r, IReadOnlyList<Unit> units, IReadOnlyList<bool> tidyAllowed)
    {
        // The units' times come from the real step's laps; their bytes from these passes, whose transients are read
        // after the thread pool went idle, the highest of the passes (StageMeasurer.TransientsAfterIdle).
        var measurer = new StageMeasurer(meter) { TransientsAfterIdle = true };
        var saveMatmuls = new SaveMatmulsMeasure(measurer, new ProfileOptions(1, MemoryRepeats));
        var subModules = new SubModuleMeasure(measurer, meter, new ProfileOptions(1, MemoryRepeats));
        var result = new List<StageProfile>(units.Count);
        var calls = new List<(UnitCall Call, Tensor Input, bool NeedsGrad)>(units.Count);
        for (int i = 0; i < units.Count; i++)
        {
            progress?.Report(new ProfilerStep("unit", i, units.Count, units[i].Path));
            Settle();
            var args = r.Captured[i];
            int first = Array.FindIndex(args, a => a is Tensor);
            var module = units[i].Module;
            var call = new UnitCall(module, x =>
            {
                var a = (object?[])args.Clone();
                a[first] = x;
                return (Tensor)UnitHooks.Call(module, a)!;
            });
            var input = (Tensor)args[first]!;
            bool needsGrad = r.FirstRequiresGrad[i];
            calls.Add((call, input, needsGrad));
            // Released after the forward, as the stage chain measures it: what the model's forward holds of it (read in
            // the real step) is input_held_bytes, which the cost model keeps to the end of the step.
            var role = needsGrad ? PassInput.Chained : PassInput.Batch;
            string path = units[i].Path;
            var plain = measurer.Measure(path, () => new TorchStagePass(call, input, role), 1, MemoryRepeats);
            plain = plain with { BackwardTransientBytes = Math.Max(0, plain.BackwardTransientBytes - plain.OutputBytes) };
            var recompute = measurer.Measure(path, () => new RecomputeStagePass(call, input, needsGrad), 1, MemoryRepeats);
            // As an inner stage of a multi-unit segment runs it: only where the next entry is a unit a segment may continue to.
            var asInner = i + 1 < units.Count && r.Chained[i + 1] ? measurer.Measure(path, () => new RecomputeStagePass(call, input, needsGrad, inner: true), 1, MemoryRepeats) : null;
            TidyFigures? tidy = null;
            if (tidyAllowed[i])
            {
                var t = measurer.Measure(path, () => new TorchStagePass(call, input, role, tidy: true), 1, MemoryRepeats);
                tidy = new TidyFigures(t.RetainedBytes, t.ForwardTransientBytes, Math.Max(0, t.BackwardTransientBytes - t.OutputBytes), t.BackwardFreedBytes);
            }
            result.Add(plain with
            {
                Recompute = InnerStageFigures.Of(recompute, asInner),
                Tidy = tidy,
                TidyAllowed = tidyAllowed[i],
                // The option's recompute time as a share of the unit's forward (1 s stands for it until it is known).
                SaveMatmuls = saveMatmuls.Of(path, call, input, needsGrad, forwardSeconds: 1),
                SubModules = subModules.Of(path, call, input, role, tidyAllowed[i], null, forwardSeconds: 1),
            });
        }
        SaveMatmulsSeconds = saveMatmuls.Seconds;
        SubModuleSeconds = subModules.Seconds;
        // Tensors held by two (docs/profiler.md): measured after every unit pass, whose readings the extra forwards
        // would otherwise shift (as ModelProfiler does).
        for (int i = 0; i < units.Count; i++)
        {
            bool nextIsUnit = i + 1 < units.Count && r.Chained[i + 1];
            var (saved, freedEarly) = nextIsUnit ? SavedOutput.Measure(meter, calls[i].Call, calls[i].Input, calls[i].NeedsGrad) : (0, 0);
            result[i] = result[i] with
            {
                InputHeldBytes = r.InputHeld[i] ? r.FirstInputBytes[i] : 0,
                InputFreedBytes = calls[i].NeedsGrad && calls[i].Input.is_floating_point() ? InputFreed.Bytes(meter, calls[i].Call, calls[i].Input) : 0,
                // Only where the next entry is a unit: work between units is measured in the real step, where what
                // this unit saved of its output is still held.
                SavedOutputBytes = saved,
                SavedOutputFreedEarlyBytes = freedEarly,
            };
        }
        return result;
    }

    /// <summary>
    /// The self-check's whole-step figures: the forward's retained bytes as the measured steps saw them (live at the
    /// model output's mark, less its gradient, above live at the model's pre-hook), and the median time of up to three
    /// steps with no hooks (for an app's own step, its optimizer step included).
    /// </summary>
    private ProfileCheck MeasureCheck(Action step, List<StepLaps> laps, long outputBytes)
    {
        var retained = laps.Where(l => l.LossGradient is not null)
            .Select(l => l.LossGradient!.LiveBytes - l.Start!.LiveBytes - outputBytes).ToList();
        var seconds = new List<double>();
        for (int r = 0; r < Math.Min(3, laps.Count); r++)
        {
            Settle();
            seconds.Add(meter.Time(() => Run(step)));
        }
        return new ProfileCheck(retained.Count == 0 ? 0 : Math.Max(0, Median.Of(retained)), Median.Of(seconds));
    }
}

/// <summary>What <see cref="InPlaceProfiler.Measure"/> found.</summary>
/// <param name="Entries">The profile's entries in the order the step runs them: units and keep-only spans.</param>
/// <param name="InputShape">The shape of the model's first tensor input.</param>
/// <param name="InputBytes">Bytes of the model's tensor inputs.</param>
/// <param name="Check">The self-check's whole-step figures.</param>
/// <param name="GradientBytesAtStart">Bytes of the gradients that existed when the model's forward started (0 when the step sets them to none before it).</param>
public sealed record InPlaceMeasurement(IReadOnlyList<StageProfile> Entries, IReadOnlyList<long> InputShape, long InputBytes, ProfileCheck Check, long GradientBytesAtStart);
