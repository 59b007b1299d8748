using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Units;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// Measures the step's time as the runtime runs it (the profile's <c>step_time</c>; docs/cost-model.md, "Step time"):
/// whole steps of the model with no plan, with every unit recomputed alone, and with every run of recomputable units
/// recomputed as one segment, by the runtime itself, in rounds whose order rotates, so that drift in the machine's speed
/// falls on all alike. The plain steps' median is the step's base. What each recomputing step takes over its round's
/// plain step (the rounds' mean with the highest and lowest fifth set aside), less the units' forward time (scaled down
/// to the step where the stages sum to more), is the runtime's cost of that plan: S·c_segment + U·c_unit for S segments
/// over U units. The two plans differ in S only, which separates the two costs (<see cref="Split"/>).
/// </summary>
public sealed class StepTimeCalibration(Meter meter)
{
    /// <summary>
    /// Rounds of steps at least, whatever the repeats (<see cref="Measure"/> runs twice the repeats where that is more).
    /// The per-segment cost is a difference of whole steps divided among the segments: with 5 rounds it moved by ±2 ms a
    /// segment between profiles on a loaded 2-core VM (±5% of an every-unit step), with 10 about half that.
    /// </summary>
    public const int MinPairs = 8;

    /// <summary>
    /// Measures <paramref name="model"/> whose units are <paramref name="stages"/> (profiled, in the order the runtime
    /// finds them, with <paramref name="options"/>; keep-only entries are kept, and entries that are no units, in a
    /// profile of units in place, are left out) over twice <paramref name="pairs"/> rounds of steps (at least
    /// <see cref="MinPairs"/>)
    /// (<paramref name="step"/>: forward, loss and backward, run inside a dispose scope of its own, which is timed with
    /// it, as the bench times a step). Null when the runtime cannot recompute every unit of the model alone (an
    /// <see cref="AckptException"/> from applying the plan or from its step: a unit that does not return a tensor). Where
    /// it cannot run the units as one segment (a unit that does not take the previous one's output, ACKPT108) or every run
    /// is one unit long, the per-unit cost is 0 and the whole cost is counted per segment.
    /// </summary>
    public StepTimeFigures? Measure(nn.Module<Tensor, Tensor> model, IReadOnlyList<StageProfile> stages, Action step, int pairs, CheckpointOptions? options = null)
    {
        double stageSum = stages.Sum(s => s.ForwardSeconds + s.BackwardSeconds);
        double recomputed = stages.Where(s => s.RecomputeAllowed).Sum(s => s.ForwardSeconds);
        Plan planAlone, planRuns;
        IReadOnlyList<Segment> alone, runs;
        try
        {
            var found = Checkpointing.Units(model, options);
            var allowed = Recomputable(found, stages);
            alone = Alone(allowed);
            runs = Runs(allowed, UsedLater(found, stages));
            planAlone = InMemory(model, found, alone);
            planRuns = InMemory(model, found, runs);
        }
        catch (AckptException)
        {
            return null;
        }
        int units = alone.Count(s => s.Strategy == SegmentStrategy.Recompute);
        if (units == 0 || stageSum <= 0) return null;
        bool split = runs.Count(s => s.Strategy == SegmentStrategy.Recompute) < units;
        pairs = Math.Max(MinPairs, 2 * pairs);
        var plain = new List<double>(pairs);
        var extraAlone = new List<double>(pairs);
        var extraRuns = new List<double>(pairs);
        try
        {
            if (split) split = RunsAsOneSegment(model, planRuns, step, options);
            if (!Apply(model, planAlone, options)) return null;
            Timed(model, step); // the runtime's own first call (its code's first run) is not timed
            for (int r = 0; r < pairs; r++)
            {
                // Three steps a round (two without the runs plan), each plan first, second and last in turn.
                double p = 0, a = 0, b = 0;
                int kinds = split ? 3 : 2;
                for (int k = 0; k < kinds; k++)
                    switch ((k + r) % kinds)
                    {
                        case 0: Checkpointing.Remove(model); p = Timed(model, step); break;
                        case 1: Apply(model, planAlone, options); a = Timed(model, step); break;
                        default: Apply(model, planRuns, options); b = Timed(model, step); break;
                    }
                plain.Add(p);
                extraAlone.Add(a - p);
                if (split) extraRuns.Add(b - p);
            }
        }
        catch (AckptException)
        {
            return null;
        }
        finally
        {
            Checkpointing.Remove(model);
        }
        double stepSeconds = Median.Of(plain);
        // The units' forwards on the step's scale, as the cost model scales them (StepCostModel.TimeScale): down where the
        // stages sum to more than the step, never up.
        double forwards = recomputed * Math.Min(1, stepSeconds / stageSum);
        int segAlone = alone.Count(s => s.Strategy == SegmentStrategy.Recompute);
        int segRuns = runs.Count(s => s.Strategy == SegmentStrategy.Recompute);
        var (perSegment, perUnit) = split
            ? Split(Median.Trimmed(extraAlone, 0.2) - forwards, segAlone, Median.Trimmed(extraRuns, 0.2) - forwards, segRuns, units)
            : (Math.Max(0, (Median.Trimmed(extraAlone, 0.2) - forwards) / segAlone), 0);
        return new StepTimeFigures(stepSeconds, Tidy(perSegment), Tidy(perUnit));
    }

    /// <summary>
    /// The costs per segment and per unit, at least 0, from what two plans over the same <paramref name="units"/> cost
    /// beyond their forwards: <paramref name="alone"/> with <paramref name="segmentsAlone"/> segments and
    /// <paramref name="runs"/> with fewer, <paramref name="segmentsRuns"/>. Each is S·c_segment + U·c_unit; solved exactly
    /// where both come out at least 0, else the least-squares fit of the one that does, the other 0.
    /// </summary>
    public static (double PerSegment, double PerUnit) Split(double alone, int segmentsAlone, double runs, int segmentsRuns, int units)
    {
        if (segmentsAlone <= segmentsRuns || units <= 0) throw new ArgumentException("the runs plan must have fewer segments than the every-unit plan");
        double perSegment = (alone - runs) / (segmentsAlone - segmentsRuns);
        double perUnit = (runs - segmentsRuns * perSegment) / units;
        if (perSegment >= 0 && perUnit >= 0) return (perSegment, perUnit);
        // On the boundary: one cost 0, the other fitted to both plans.
        double unitOnly = Math.Max(0, (alone + runs) / (2.0 * units));
        double segmentOnly = Math.Max(0, (segmentsAlone * alone + segmentsRuns * runs) / ((double)segmentsAlone * segmentsAlone + (double)segmentsRuns * segmentsRuns));
        double residualUnit = Sq(alone - units * unitOnly) + Sq(runs - units * unitOnly);
        double residualSegment = Sq(alone - segmentsAlone * segmentOnly) + Sq(runs - segmentsRuns * segmentOnly);
        return residualUnit < residualSegment ? (0, unitOnly) : (segmentOnly, 0);
    }

    /// <summary>
    /// Per unit of the model, whether the profile lets it be recomputed: the entry of the same index where the profile
    /// has one entry per unit, else the entry named as the unit (a profile of units in place also has entries for the
    /// code before the first unit and after the last, which are no units); a unit with no entry is kept.
    /// </summary>
    internal static IReadOnlyList<bool> Recomputable(ModelUnits units, IReadOnlyList<StageProfile> stages) =>
        PerUnit(units, stages, s => s.RecomputeAllowed);

    /// <summary>Per unit of the model, whether the profile says the forward uses its output after the next unit (as <see cref="Recomputable"/> finds entries; a unit with no entry: false).</summary>
    internal static IReadOnlyList<bool> UsedLater(ModelUnits units, IReadOnlyList<StageProfile> stages) =>
        PerUnit(units, stages, s => s.OutputUsedLater);

    /// <summary>
    /// <paramref name="flag"/> of each unit's entry: the entry of the same index where the profile has one entry per unit,
    /// else the entry named as the unit (a profile of units in place also has keep-only entries); false for a unit with none.
    /// </summary>
    private static IReadOnlyList<bool> PerUnit(ModelUnits units, IReadOnlyList<StageProfile> stages, Func<StageProfile, bool> flag) =>
        units.Count == stages.Count
            ? [.. stages.Select(flag)]
            : [.. units.Paths.Select(p => stages.FirstOrDefault(s => s.Name == p) is { } s && flag(s))];

    /// <summary>Every recomputable unit its own segment; the others kept.</summary>
    internal static IReadOnlyList<Segment> Alone(IReadOnlyList<bool> recomputable) =>
        [.. recomputable.Select((r, i) => new Segment(i, i, r ? SegmentStrategy.Recompute : SegmentStrategy.Keep))];

    /// <summary>
    /// Every run of consecutive recomputable units one segment, ended after a unit whose output is used later
    /// (<paramref name="usedLater"/>, where given: a segment cannot continue past it); the others kept, one segment each.
    /// </summary>
    internal static IReadOnlyList<Segment> Runs(IReadOnlyList<bool> recomputable, IReadOnlyList<bool>? usedLater = null)
    {
        var list = new List<Segment>();
        for (int i = 0; i < recomputable.Count;)
        {
            if (!recomputable[i]) { list.Add(new Segment(i, i, SegmentStrategy.Keep)); i++; continue; }
            int j = i;
            while (j + 1 < recomputable.Count && recomputable[j + 1] && usedLater?[j] != true) j++;
            list.Add(new Segment(i, j, SegmentStrategy.Recompute));
            i = j + 1;
        }
        return list;
    }

    // Whether the runtime runs the runs plan: applied, and one step (untimed) through its chained segments.
    private bool RunsAsOneSegment(nn.Module<Tensor, Tensor> model, Plan plan, Action step, CheckpointOptions? options)
    {
        try
        {
            if (!Apply(model, plan, options)) return false;
            Timed(model, step);
            return true;
        }
        catch (AckptException)
        {
            return false;
        }
        finally
        {
            Checkpointing.Remove(model);
        }
    }

    private static bool Apply(nn.Module model, Plan plan, CheckpointOptions? options)
    {
        Checkpointing.Remove(model);
        Checkpointing.Apply(model, plan, onWarning: _ => { }, options: options);
        return Checkpointing.Applied(model) is not null;
    }

    private static Plan InMemory(nn.Module model, ModelUnits units, IReadOnlyList<Segment> segments) => new()
    {
        Target = model.GetType().Name,
        Model = new ModelInfo(units.Fingerprint, units.Count),
        Device = new DeviceInfo(model.parameters().FirstOrDefault()?.device_type.ToString().ToLowerInvariant() ?? "cpu", ""),
        BatchSize = 0,
        MemoryCapBytes = 0,
        Segments = segments,
        UnitPaths = units.Paths,
    };

    private static double Sq(double x) => x * x;

    // At least 0, and a time a profile can hold.
    private static double Tidy(double seconds) => seconds < 1e-9 ? 0 : seconds;

    private double Timed(nn.Module model, Action step)
    {
        model.zero_grad();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return meter.Time(() =>
        {
            using var scope = NewDisposeScope();
            step();
        });
    }
}
