using AutoCkpt.Formats.Profiles;
using AutoCkpt.Profiler.Measuring;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// Measures one stage as docs/cost-model.md defines: warm-up passes, then <c>repeats</c> measured passes, each
/// forward and backward read by the <see cref="Meter"/>, with the input released between them as the runtime's stage
/// chain does; every figure is the median over the measured passes, but the transients with
/// <see cref="TransientsAfterIdle"/>.
/// </summary>
public sealed class StageMeasurer(Meter meter)
{
    /// <summary>
    /// How long a measured pass waits, with <see cref="TransientsAfterIdle"/> on the CPU, for the intra-op thread pool to
    /// go idle: libgomp's workers spin for well under a millisecond after a parallel region, then sleep.
    /// </summary>
    internal const int IdleMilliseconds = 20;

    /// <summary>
    /// Whether each measured forward and backward starts with the CPU's intra-op thread pool idle (a pause of
    /// <see cref="IdleMilliseconds"/>) and the transients are the highest over the measured passes, not the median.
    /// For figures whose times come from elsewhere (units in place: the real step's laps), since the pause delays the
    /// pass's first operation. Why: an operation's scratch memory can depend on a race between its threads. A dilated
    /// <c>Conv1d</c>'s backward on two threads peaks either 1,372,160 or 1,945,600 B above its start, a training step
    /// reaches the higher figure and passes run back to back mostly read the lower; the pause raises the odds of the
    /// higher one, the highest of the passes keeps it (docs/profiler.md, "Transients after idle").
    /// </summary>
    public bool TransientsAfterIdle { get; init; }

    /// <summary>
    /// Measures the stage <paramref name="name"/>; <paramref name="startPass"/> starts a fresh pass on the stage's
    /// input each time. <paramref name="warmups"/> ≥ 0 passes are run first and not measured; <paramref name="repeats"/> ≥ 1.
    /// </summary>
    public StageProfile Measure(string name, Func<IStagePass> startPass, int warmups, int repeats)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmups);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        for (int i = 0; i < warmups; i++)
        {
            using var pass = startPass();
            pass.Forward();
            pass.ReleaseInput();
            if (pass.HasBackward)
            {
                pass.PrepareBackward();
                pass.Backward();
            }
        }

        var forward = new List<Reading>(repeats);
        var backward = new List<Reading>(repeats);
        var output = new List<long>(repeats);
        for (int i = 0; i < repeats; i++)
        {
            using var pass = startPass();
            Idle();
            forward.Add(meter.Measure(pass.Forward));
            output.Add(pass.OutputBytes);
            pass.ReleaseInput();
            if (pass.HasBackward)
            {
                pass.PrepareBackward();
                Idle();
                backward.Add(meter.Measure(pass.Backward));
            }
        }
        LastTimeSpreadSeconds = Spread(forward) + Spread(backward);
        return Aggregate(name, forward, backward, output, highestTransients: TransientsAfterIdle);
    }

    private void Idle()
    {
        if (TransientsAfterIdle && meter.Probe.DeviceType == "cpu") Thread.Sleep(IdleMilliseconds);
    }

    /// <summary>
    /// Of the last <see cref="Measure"/>: (largest − smallest) forward seconds plus the same of backward seconds over
    /// its measured passes: how far the stage's timings scattered (0 with one pass).
    /// </summary>
    public double LastTimeSpreadSeconds { get; private set; }

    private static double Spread(IReadOnlyList<Reading> readings) =>
        readings.Count == 0 ? 0 : readings.Max(r => r.Seconds) - readings.Min(r => r.Seconds);

    /// <summary>
    /// The stage's figures from its measured passes: medians of forward and backward seconds, output bytes,
    /// retained (growth over the forward), forward transient (peak above live after the forward), backward
    /// transient (peak above live before the backward) and backward freed (live before minus after the backward).
    /// An empty <paramref name="backward"/> list means the stage has no backward: its backward figures are 0.
    /// Input freed depends on the previous stage too, so the whole-chain forward measures it, not this. With
    /// <paramref name="highestTransients"/> the two transients are the highest over the passes.
    /// </summary>
    public static StageProfile Aggregate(string name, IReadOnlyList<Reading> forward, IReadOnlyList<Reading> backward, IReadOnlyList<long> outputBytes,
        bool highestTransients = false)
    {
        bool hasBackward = backward.Count > 0;
        long Transient(IEnumerable<long> peaks) => highestTransients ? peaks.Max() : Median.Of(peaks.ToList());
        return new StageProfile(
            name,
            Median.Of(forward.Select(r => r.Seconds).ToList()),
            hasBackward ? Median.Of(backward.Select(r => r.Seconds).ToList()) : 0,
            Median.Of(outputBytes.ToList()),
            Math.Max(0, Median.Of(forward.Select(r => r.GrowthBytes).ToList())),
            Transient(forward.Select(r => r.PeakAboveAfterBytes)),
            hasBackward ? Transient(backward.Select(r => r.PeakAboveBeforeBytes)) : 0)
        {
            BackwardFreedBytes = hasBackward ? Median.Of(backward.Select(r => -r.GrowthBytes).ToList()) : 0,
        };
    }
}
