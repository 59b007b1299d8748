using AutoCkpt.Formats.Profiles;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Units;

namespace AutoCkpt.Profiler.InPlace;

/// <summary>
/// The entries of a profile of units in place (docs/profiler.md, "Units in place"), from the laps of the measured steps:
/// the units' times, and the keep-only entries around them (the code before the first unit, between units that do not
/// chain or whose loop keeps memory, and after the last), with their figures; and the skip gradients' figures.
/// </summary>
internal sealed class InPlaceEntries(Meter meter)
{
    /// <summary>
    /// Per unit whose input is the previous unit's output used later: what the step frees when the input gradient the
    /// unit's backward made is added to the gradient that later use made (the profile's <c>skip_gradient_bytes</c>), the
    /// median over the measured steps of live bytes at the unit's input mark less live bytes at the previous unit's output
    /// mark. Between the two nothing else runs: the input mark's gradient flows on unchanged where no later use made one.
    /// 0 where the model's loop between the two units keeps memory (<see cref="KeepingLoops"/>): that span is the backward
    /// of the entry after the previous unit, which frees what it frees (<see cref="KeptByLoop"/>).
    /// </summary>
    public long[] SkipGradients(StepRecorder r, bool[] usedLater, List<StepLaps> laps)
    {
        var keeping = KeepingLoops(r, laps);
        var result = new long[usedLater.Length];
        for (int i = 1; i < result.Length; i++)
        {
            if (!usedLater[i - 1] || !r.Chained[i] || keeping[i - 1]) continue;
            var drops = laps.Where(l => l.InputGradient[i] is not null && l.OutputGradient[i - 1] is not null)
                .Select(l => (double)(l.InputGradient[i]!.LiveBytes - l.OutputGradient[i - 1]!.LiveBytes)).ToList();
            if (drops.Count > 0) result[i] = Math.Max(0, (long)Median.Of(drops));
        }
        return result;
    }

    /// <summary>One entry of the profile: a unit (its figures come from the isolated passes) or a keep-only span.</summary>
    internal sealed record Entry(int? Unit, double Forward, double Backward, StageProfile? Profile);

    /// <summary>The medians over the measured steps, entry by entry, in the order the step runs them.</summary>
    public List<Entry> Of(StepRecorder recorder, IReadOnlyList<Unit> units, List<StepLaps> steps)
    {
        int n = units.Count;
        var glue = KeepingLoops(recorder, steps);
        var perStep = steps.Select(l => StepEntries(recorder, units, l, glue)).ToList();
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

    /// <summary>
    /// Live bytes the model's own loop may keep between two chained units before it counts as an entry of its own: less is
    /// the loop's bookkeeping (a page of small tensors), more is memory a step holds (a skip branch's output and sum).
    /// </summary>
    private const long KeptByLoopThreshold = 64 * 1024;

    /// <summary>
    /// Per unit whose next unit takes its output as first input: whether the model's loop between the two keeps memory
    /// (the median over the measured steps of live growth from the unit's post-hook to the next unit's pre-hook is over
    /// <see cref="KeptByLoopThreshold"/>: a WaveNet's skip conv of the block's output added to a running sum). Decided once,
    /// so that every step has the same entries.
    /// </summary>
    private bool[] KeepingLoops(StepRecorder r, List<StepLaps> steps)
    {
        int n = r.Chained.Length;
        var result = new bool[n];
        for (int i = 0; i + 1 < n; i++)
            if (r.Chained[i + 1])
                result[i] = Median.Of(steps.Select(l => (double)meter.Between(l.Post[i]!, l.Pre[i + 1]!).GrowthBytes).ToList()) > KeptByLoopThreshold;
        return result;
    }

    /// <summary>The entries of one measured step.</summary>
    private List<Entry> StepEntries(StepRecorder r, IReadOnlyList<Unit> units, StepLaps l, bool[] keepingLoops)
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
            if (i + 1 < n && !between && !keepingLoops[i]) forward += Span(l.Post[i]!, l.Pre[i + 1]!); // the loop between chained units
            double back = l.OutputGradient[i] is { } og && Next(backward, og) is { } next ? Span(og, next) : 0;
            entries.Add(new Entry(i, forward, back, null));
            if (keepingLoops[i])
                entries.Add(KeptByLoop($"(after {units[i].Path})", l.Post[i]!, l.Pre[i + 1]!, l.InputGradient[i + 1], backward, r.FirstInputBytes[i + 1]));
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
    /// What the model's loop keeps between two chained units (<see cref="KeepingLoops"/>), as a keep-only entry that passes
    /// the first unit's output (<paramref name="output"/> bytes, the next unit's input) through: its retained bytes are the
    /// loop's live growth (the output is the unit's, counted there). Its backward is the loop's branch's (a WaveNet's skip
    /// conv: the engine runs it once the next unit's backward has made its input gradient, and before the unit's own), from
    /// the next unit's input mark <paramref name="backwardStart"/> to the next lap, the unit's output mark: its time, its
    /// transient above the level at its start and what it frees (the branch's last use of a gradient it shares, the two
    /// input gradients joined), as <see cref="KeepOnly"/> measures them. Without a gradient there: no backward.
    /// </summary>
    private Entry KeptByLoop(string name, Lap from, Lap to, Lap? backwardStart, List<Lap> backward, long output)
    {
        var e = KeepOnly(name, from, to, backwardStart, backward, output);
        return e with { Profile = e.Profile! with { RetainedBytes = Math.Max(0, e.Profile.RetainedBytes) } };
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
}
