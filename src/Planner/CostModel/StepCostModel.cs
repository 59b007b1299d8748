using AutoCkpt.Formats;

namespace AutoCkpt.Planner;

/// <summary>
/// Predicts one training step's peak memory and time for a plan, from a profile. This is the only place the cost
/// model is written down; docs/cost-model.md gives its equations and the solvers' tables are derived from them.
/// </summary>
/// <remarks>
/// The step runs in a TorchSharp DisposeScope: what a plain forward creates lives until the step ends, and the
/// backward releases only each stage's <c>backward_freed_bytes</c> and the output gradient it consumed. A recompute
/// segment keeps its output in the forward, re-runs with autograd just before its backward, and disposes all it
/// made afterwards, leaving only its input gradient.
/// </remarks>
public sealed class StepCostModel
{
    private readonly double[] _fwd, _bwd;
    private readonly long[] _out, _ret, _ft, _bt, _freed;

    /// <summary>Builds the model from a validated profile.</summary>
    public StepCostModel(Profile profile)
    {
        Profile = profile;
        var s = profile.Stages;
        _fwd = [.. s.Select(x => x.ForwardSeconds)];
        _bwd = [.. s.Select(x => x.BackwardSeconds)];
        _out = [.. s.Select(x => x.OutputBytes)];
        _ret = [.. s.Select(x => x.RetainedBytes)];
        _ft = [.. s.Select(x => x.ForwardTransientBytes)];
        _bt = [.. s.Select(x => x.BackwardTransientBytes)];
        _freed = [.. s.Select(x => x.BackwardFreedBytes)];
        FixedBytes = profile.FixedBytes.Total;
        double t = 0;
        for (int i = 0; i < s.Count; i++) t += _fwd[i] + _bwd[i];
        BaseStepSeconds = t;
    }

    /// <summary>The profile the model reads.</summary>
    public Profile Profile { get; }

    /// <summary>The number of stages.</summary>
    public int Stages => _fwd.Length;

    /// <summary>Fixed memory F (parameters, gradients, optimizer state, batch), in bytes.</summary>
    public long FixedBytes { get; }

    /// <summary>Σ (forward + backward) over stages: the step time with no recompute, in seconds.</summary>
    public double BaseStepSeconds { get; }

    /// <summary>Peak, step time and recompute time of a plan. Segments must cover every stage once.</summary>
    public Prediction Predict(IReadOnlyList<Segment> segments)
    {
        double recompute = RecomputeSeconds(segments);
        return new Prediction(PeakBytes(segments), BaseStepSeconds + recompute, recompute);
    }

    /// <summary>The predicted step peak in bytes: the largest point of <see cref="Series"/>.</summary>
    public long PeakBytes(IReadOnlyList<Segment> segments) => Walk(segments, null);

    /// <summary>Σ forward seconds of the recomputed stages, summed in stage order.</summary>
    public double RecomputeSeconds(IReadOnlyList<Segment> segments)
    {
        double t = 0;
        foreach (var seg in segments)
            if (IsRecompute(seg))
                for (int i = seg.First; i <= seg.Last; i++) t += _fwd[i];
        return t;
    }

    /// <summary>Predicted memory over one step, one point before, at the peak of and after each stage's passes.</summary>
    public IReadOnlyList<MemoryPoint> Series(IReadOnlyList<Segment> segments)
    {
        var points = new List<MemoryPoint>(8 * Stages + 8);
        Walk(segments, points);
        return points;
    }

    private long Walk(IReadOnlyList<Segment> segments, List<MemoryPoint>? sink)
    {
        PlanFile.ValidateSegments(segments, Stages, null);
        long live = FixedBytes, peak = live;
        double t = 0;
        void Emit(StepPhase phase, int stage, bool transient, double at, long bytes)
        {
            if (bytes > peak) peak = bytes;
            sink?.Add(new MemoryPoint(phase, stage, transient, at, bytes));
        }

        Emit(StepPhase.Start, -1, false, 0, live);
        foreach (var seg in segments)
        {
            long before = live;
            for (int i = seg.First; i <= seg.Last; i++)
                Forward(StepPhase.Forward, i);
            if (IsRecompute(seg))
            {
                live = before + _out[seg.Last];
                Emit(StepPhase.Drop, seg.Last, false, t, live);
            }
        }

        live += _out[Stages - 1];
        Emit(StepPhase.LossGradient, -1, false, t, live);
        for (int k = segments.Count - 1; k >= 0; k--)
        {
            var seg = segments[k];
            long start = live;
            bool recompute = IsRecompute(seg);
            if (recompute)
                for (int i = seg.First; i <= seg.Last; i++)
                    Forward(StepPhase.Recompute, i);
            for (int i = seg.Last; i >= seg.First; i--)
            {
                Emit(StepPhase.Backward, i, true, t + _bwd[i] / 2, live + _bt[i]);
                live -= _freed[i] + _out[i];
                t += _bwd[i];
                Emit(StepPhase.Backward, i, false, t, live);
            }
            if (recompute)
            {
                live = start - _out[seg.Last] + (seg.First > 0 ? _out[seg.First - 1] : 0);
                Emit(StepPhase.Dispose, seg.First, false, t, live);
            }
        }
        Emit(StepPhase.End, -1, false, t, FixedBytes);
        return peak;

        void Forward(StepPhase phase, int i)
        {
            Emit(phase, i, true, t + _fwd[i] / 2, live + _ret[i] + _ft[i]);
            live += _ret[i];
            t += _fwd[i];
            Emit(phase, i, false, t, live);
        }
    }

    private static bool IsRecompute(Segment seg) => seg.Strategy switch
    {
        SegmentStrategy.Keep => false,
        SegmentStrategy.Recompute => true,
        _ => throw new AckptException(ErrorCodes.PlanUnknownStrategy, $"the cost model does not know strategy '{seg.Strategy}'."),
    };
}
