using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Profiler.Measuring;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// Measures the step's time as the runtime runs it (the profile's <c>step_time</c>; docs/cost-model.md, "Step time"):
/// whole steps of the model with no plan, and with every unit recomputed by the runtime itself
/// (<see cref="Checkpointing.EveryUnit{T}(T, CheckpointOptions?)"/>), in pairs whose order alternates, so that drift in the
/// machine's speed falls on both alike. The plain steps' median is the step's base; what the every-unit steps take over
/// their pair's plain step (the pairs' mean with the highest and lowest fifth set aside), less the units' forward time (scaled down to the step where the stages sum to more), divided
/// by the segments, is what each recompute segment costs beyond its units.
/// </summary>
public sealed class StepTimeCalibration(Meter meter)
{
    /// <summary>
    /// Pairs of steps at least, whatever the repeats (<see cref="Measure"/> runs twice the repeats where that is more).
    /// The per-segment cost is a difference of whole steps divided among the segments: with 5 pairs it moved by ±2 ms a
    /// segment between profiles on a loaded 2-core VM (±5% of an every-unit step), with 10 about half that.
    /// </summary>
    public const int MinPairs = 8;

    /// <summary>
    /// Measures <paramref name="model"/> whose units are <paramref name="stages"/> (profiled, in the order the runtime
    /// finds them; keep-only entries are not recomputed) over twice <paramref name="pairs"/> pairs of steps (at least
    /// <see cref="MinPairs"/>)
    /// (<paramref name="step"/>: forward, loss and backward, run inside a dispose scope of its own, which is timed with
    /// it, as the bench times a step). Null when the runtime cannot recompute every unit of the model (an
    /// <see cref="AckptException"/> from applying the plan: a unit that does not return a tensor).
    /// </summary>
    public StepTimeFigures? Measure(nn.Module<Tensor, Tensor> model, IReadOnlyList<StageProfile> stages, Action step, int pairs, CheckpointOptions? options = null)
    {
        int segments = stages.Count(s => s.RecomputeAllowed);
        double stageSum = stages.Sum(s => s.ForwardSeconds + s.BackwardSeconds);
        double recomputed = stages.Where(s => s.RecomputeAllowed).Sum(s => s.ForwardSeconds);
        if (segments == 0 || stageSum <= 0) return null;
        pairs = Math.Max(MinPairs, 2 * pairs);
        var plain = new List<double>(pairs);
        var extra = new List<double>(pairs);
        try
        {
            Checkpointing.Remove(model);
            Checkpointing.EveryUnit(model, options);
            Timed(model, step); // the runtime's own first call (its code's first run) is not timed
            for (int r = 0; r < pairs; r++)
            {
                double p, e;
                if (r % 2 == 0)
                {
                    Checkpointing.Remove(model);
                    p = Timed(model, step);
                    Checkpointing.EveryUnit(model, options);
                    e = Timed(model, step);
                }
                else
                {
                    e = Timed(model, step);
                    Checkpointing.Remove(model);
                    p = Timed(model, step);
                    Checkpointing.EveryUnit(model, options);
                }
                plain.Add(p);
                extra.Add(e - p);
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
        double perSegment = (Median.Trimmed(extra, 0.2) - recomputed * Math.Min(1, stepSeconds / stageSum)) / segments;
        return new StepTimeFigures(stepSeconds, perSegment < 1e-9 ? 0 : perSegment); // at least 0, and a time a profile can hold
    }

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
