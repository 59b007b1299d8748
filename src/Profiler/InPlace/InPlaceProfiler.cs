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
    /// <summary>Measured passes per unit as a recompute segment or a tidy unit runs it (memory only).</summary>
    private const int MemoryRepeats = 3;

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

            var entries = Entries(recorder, units, laps);
            var skipGradients = SkipGradients(recorder, usedLater, laps);
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

    /// <summary>
    /// Per unit whose input is the previous unit's output used later: what the step frees when the input gradient the
    /// unit's backward made is added to the gradient that later use made (the profile's <c>skip_gradient_bytes</c>), the
    /// median over the measured steps of live bytes at the unit's input mark less live bytes at the previous unit's output
    /// mark. Between the two nothing else runs: the input mark's gradient flows on unchanged where no later use made one.
    /// </summary>
    private static long[] SkipGradients(StepRecorder r, bool[] usedLater, List<StepLaps> laps)
    {
        var result = new long[usedLater.Length];
        for (int i = 1; i < result.Length; i++)
        {
            if (!usedLater[i - 1] || !r.Chained[i]) continue;
            var drops = laps.Where(l => l.InputGradient[i] is not null && l.OutputGradient[i - 1] is not null)
                .Select(l => (double)(l.InputGradient[i]!.LiveBytes - l.OutputGradient[i - 1]!.LiveBytes)).ToList();
            if (drops.Count > 0) result[i] = Math.Max(0, (long)Median.Of(drops));
        }
        return result;
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

    /// <summary>One entry of the profile: a unit (its figures come from the isolated passes) or a keep-only span.</summary>
    private sealed record Entry(int? Unit, double Forward, double Backward, StageProfile? Profile);

    /// <summary>The medians over the measured steps, entry by entry, in the order the step runs them.</summary>
    private List<Entry> Entries(StepRecorder recorder, IReadOnlyList<Unit> units, List<StepLaps> steps)
    {
        int n = units.Count;
        var perStep = steps.Select(l => StepEntries(recorder, units, l)).ToList();
        var entries = new List<Entry>();
        for (int k = 0; k < perStep[0].Count; k++)
        {
            var all = perStep.Select(s => s[k]).ToList();
            var first = all[0];
            double f = Median.Of(all.Select(e => e.Forward).ToList());
            double b = Median.Of(all.Select(e => e.Backward).ToList());
            if (first.Unit is not null) entries.Add(new Entry(first.Unit, f, b, null));
            else
            {
                var p = all.Select(e => e.Profile!).ToList();
                entries.Add(new Entry(null, f, b, new StageProfile(first.Profile!.Name, f, b, first.Profile.OutputBytes,
                    Math.Max(0, Median.Of(p.Select(x => x.RetainedBytes).ToList())),
                    Math.Max(0, Median.Of(p.Select(x => x.ForwardTransientBytes).ToList())),
                    Math.Max(0, Median.Of(p.Select(x => x.BackwardTransientBytes).ToList())))
                {
                    BackwardFreedBytes = Median.Of(p.Select(x => x.BackwardFreedBytes).ToList()),
                    RecomputeAllowed = false,
                    TidyAllowed = false,
                }));
            }
        }
        return entries;
    }

    /// <summary>The entries of one measured step.</summary>
    private List<Entry> StepEntries(StepRecorder r, IReadOnlyList<Unit> units, StepLaps l)
    {
        int n = units.Count;
        var backward = BackwardLaps(l);
        var entries = new List<Entry>();

        // Before the first unit: from the model's pre-hook to the first unit's.
        entries.Add(KeepOnly($"(before {units[0].Path})", l.Start!, l.Pre[0]!, l.InputGradient[0], backward, r.FirstInputBytes[0]));
        for (int i = 0; i < n; i++)
        {
            double forward = Span(l.Pre[i]!, l.Post[i]!);
            bool between = i + 1 < n && !r.Chained[i + 1];
            if (i + 1 < n && !between) forward += Span(l.Post[i]!, l.Pre[i + 1]!); // the loop between chained units
            double back = l.OutputGradient[i] is { } og && Next(backward, og) is { } next ? Span(og, next) : 0;
            entries.Add(new Entry(i, forward, back, null));
            if (between)
                entries.Add(KeepOnly($"(after {units[i].Path})", l.Post[i]!, l.Pre[i + 1]!, l.InputGradient[i + 1], backward, r.FirstInputBytes[i + 1]));
        }
        entries.Add(AfterLast(units[^1].Path, l, backward, r.OutputBytes));
        return entries;
    }

    /// <summary>The laps the backward took, in time order, ending with the step's end.</summary>
    private static List<Lap> BackwardLaps(StepLaps l)
    {
        var laps = new List<Lap>();
        if (l.LossGradient is { } g) laps.Add(g);
        laps.AddRange(l.OutputGradient.OfType<Lap>());
        laps.AddRange(l.InputGradient.OfType<Lap>());
        laps.Add(l.End!);
        return [.. laps.OrderBy(x => x.End)];
    }

    private static Lap? Next(List<Lap> laps, Lap after) => laps.FirstOrDefault(x => x.End > after.End);

    private double Span(Lap from, Lap to) => to.End >= from.Start ? meter.Between(from, to).Seconds : 0;

    /// <summary>
    /// Work between units, kept: its forward from lap <paramref name="from"/> to <paramref name="to"/>; its backward
    /// from the next unit's input mark to the next lap of the backward. Its output (what the next unit reads first)
    /// has <paramref name="output"/> bytes; its gradient is live when its backward starts.
    /// </summary>
    private Entry KeepOnly(string name, Lap from, Lap to, Lap? backwardStart, List<Lap> backward, long output)
    {
        var fwd = meter.Between(from, to);
        double b = 0;
        long bt = 0, freed = -output; // no backward: the walk's level stays where it is
        if (backwardStart is not null && Next(backward, backwardStart) is { } end)
        {
            var bwd = meter.Between(backwardStart, end);
            b = bwd.Seconds;
            bt = bwd.PeakAboveBeforeBytes;
            freed = bwd.LiveBeforeBytes - bwd.LiveAfterBytes - output;
        }
        return new Entry(null, fwd.Seconds, b, new StageProfile(name, fwd.Seconds, b, output, fwd.GrowthBytes, fwd.PeakAboveAfterBytes, bt)
        {
            BackwardFreedBytes = freed,
        });
    }

    /// <summary>
    /// After the last unit: its forward is the rest of the model's forward, then the loss and the loss's own backward up
    /// to the gradient of the model's output (the output's mark); its backward, from there to the last unit's output
    /// mark. The model's output is its output (docs/cost-model.md: the walk makes its gradient).
    /// </summary>
    private Entry AfterLast(string lastPath, StepLaps l, List<Lap> backward, long output)
    {
        var start = l.Post[^1]!;
        var rest = meter.Between(start, l.ModelOutput!);
        double forward = rest.Seconds + Span(l.ModelOutput!, l.AfterModelOutputMark!);
        long peak = rest.PeakBytes;
        long retained = rest.GrowthBytes;
        double b = 0;
        long bt = 0, freed = -output;
        if (l.LossGradient is { } lossGradient)
        {
            var loss = meter.Between(l.AfterModelOutputMark!, lossGradient);
            forward += loss.Seconds;
            peak = Math.Max(peak, loss.PeakBytes);
            retained = lossGradient.LiveBytes - start.LiveBytes - output;
            if (Next(backward, lossGradient) is { } end)
            {
                var bwd = meter.Between(lossGradient, end);
                b = bwd.Seconds;
                bt = bwd.PeakAboveBeforeBytes;
                freed = bwd.LiveBeforeBytes - bwd.LiveAfterBytes - output;
            }
        }
        else
        {
            // No gradient reached the model's output (nothing trainable): the rest of the step is forward only.
            var tail = meter.Between(l.AfterModelOutputMark!, l.End!);
            forward += tail.Seconds;
            freed = 0;
        }
        long transient = Math.Max(0, peak - start.LiveBytes - retained);
        return new Entry(null, forward, b, new StageProfile($"(after {lastPath})", forward, b, output, retained, transient, bt)
        {
            BackwardFreedBytes = freed,
        });
    }

    /// <summary>Each unit's bytes from the isolated passes (plain, recompute, tidy) on the inputs it had in the real step.</summary>
    private List<StageProfile> MeasureUnits(StepRecorder r, IReadOnlyList<Unit> units, IReadOnlyList<bool> tidyAllowed)
    {
        var measurer = new StageMeasurer(meter);
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
            TidyFigures? tidy = null;
            if (tidyAllowed[i])
            {
                var t = measurer.Measure(path, () => new TorchStagePass(call, input, role, tidy: true), 1, MemoryRepeats);
                tidy = new TidyFigures(t.RetainedBytes, t.ForwardTransientBytes, Math.Max(0, t.BackwardTransientBytes - t.OutputBytes), t.BackwardFreedBytes);
            }
            result.Add(plain with
            {
                Recompute = new RecomputeFigures(recompute.RetainedBytes, recompute.BackwardTransientBytes, recompute.BackwardFreedBytes),
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
