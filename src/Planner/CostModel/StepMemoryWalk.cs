using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;

namespace AutoCkpt.Planner.CostModel;

/// <summary>
/// The memory walk of one step under a plan, for <see cref="StepCostModel"/> (docs/cost-model.md, "Prediction for a
/// plan"): live bytes stage by stage through the forward, the recompute segments' re-runs and the backward, each point
/// emitted with its time. The per-stage byte figures are the profile's, with shared tensors freed where the step frees
/// them (<see cref="SharedTensors"/>); the seconds are the model's, scaled to the measured step.
/// </summary>
internal sealed class StepMemoryWalk
{
    private readonly StepCostModel _model;
    private readonly double[] _fwd, _bwd, _savedFwd;
    private readonly double _stepExtra;
    private readonly long?[] _innerBt, _innerFreed;
    private readonly long[] _kept, _merge, _out, _ret, _ft, _bt, _freed, _inFreed, _recInFreed, _inputRelease, _keptInputRelease, _keptHandleRelease, _recRet, _recBt, _recFreed;

    /// <summary>The walk of <paramref name="model"/>'s figures; the stages' seconds as the model scaled them.</summary>
    public StepMemoryWalk(StepCostModel model, double[] forwardSeconds, double[] backwardSeconds, double[] savedMatmulsForwardSeconds, double stepExtraSeconds)
    {
        _model = model;
        _fwd = forwardSeconds;
        _bwd = backwardSeconds;
        _savedFwd = savedMatmulsForwardSeconds;
        _stepExtra = stepExtraSeconds;
        var shared = model.Shared;
        var s = shared.Stages;
        _out = [.. s.Select(x => x.OutputBytes)];
        _ret = [.. s.Select(x => x.RetainedBytes)];
        _ft = [.. s.Select(x => x.ForwardTransientBytes)];
        _bt = [.. s.Select(x => x.BackwardTransientBytes)];
        _freed = [.. s.Select(x => x.BackwardFreedBytes)];
        // A skip's gradient, freed when the unit's input gradient joins it after the unit's backward (docs/cost-model.md, "Skip gradients").
        _merge = [.. s.Select(x => x.SkipGradientBytes)];
        _inFreed = [.. s.Select((x, i) => i == 0 ? 0 : x.InputFreedBytes)];
        _recInFreed = shared.RecomputeInputFreed;
        _inputRelease = shared.InputRelease;
        _keptInputRelease = shared.KeptInputRelease;
        _keptHandleRelease = shared.KeptHandleRelease;
        // Inside a recompute segment's backward a stage keeps only what autograd saved, the runtime having disposed
        // every other handle the stage made (the profile's recompute figures; the plain ones stand in when absent).
        _recRet = [.. s.Select(x => x.Recompute?.RetainedBytes ?? x.RetainedBytes)];
        _recBt = [.. s.Select(x => x.Recompute?.BackwardTransientBytes ?? x.BackwardTransientBytes)];
        _recFreed = [.. s.Select(x => x.Recompute?.BackwardFreedBytes ?? x.BackwardFreedBytes)];
        // An inner stage of a multi-unit segment (every stage but its last): its output and output gradient may go early
        // in its backward (docs/cost-model.md, "Inner stages of a multi-unit recompute segment"); absent, the last-stage figures.
        _innerBt = [.. s.Select(x => x.Recompute?.InnerBackwardTransientBytes)];
        _innerFreed = [.. s.Select(x => x.Recompute?.InnerBackwardFreedBytes)];
        // Save-matmuls (docs/selective.md): the Linear outputs a unit keeps.
        _kept = [.. s.Select(x => x.SaveMatmuls?.KeptBytes ?? 0)];
    }

    /// <summary>Walks one step of <paramref name="segments"/>: its peak, and every point into <paramref name="sink"/> when given.</summary>
    public long Run(IReadOnlyList<Segment> segments, List<MemoryPoint>? sink)
    {
        PlanFile.ValidateSegments(segments, _model.Stages, null);
        long live = _model.FixedBytes, peak = live;
        double t = 0;
        void Emit(StepPhase phase, int stage, bool transient, double at, long bytes)
        {
            if (bytes > peak) peak = bytes;
            sink?.Add(new MemoryPoint(phase, stage, transient, at, bytes));
        }

        Emit(StepPhase.Start, -1, false, 0, live);
        for (int k = 0; k < segments.Count; k++)
        {
            var seg = segments[k];
            if (!StepCostModel.IsRecompute(seg))
            {
                // After a recompute segment, whose output no autograd saves, the first stage's handle frees that too.
                long afterRecompute = k > 0 && StepCostModel.IsRecompute(segments[k - 1]) ? _keptHandleRelease[seg.First] : 0;
                if (_model.Sub(seg) is { } sub) SubForward(seg.First, sub, afterRecompute);
                else for (int i = seg.First; i <= seg.Last; i++) Forward(StepPhase.Forward, i, chained: true, i == seg.First ? afterRecompute : 0);
                continue;
            }
            // No autograd, stage by stage: only the previous stage's output and the running stage's memory are live
            // (and, saving matmuls, the Linear outputs the unit keeps).
            long before = live, kept = Kept(seg);
            for (int i = seg.First; i <= seg.Last; i++)
            {
                long carried = i > seg.First ? _out[i - 1] : 0;
                Emit(StepPhase.Forward, i, true, t + _fwd[i] / 2, before + carried + _ret[i] + _ft[i]);
                t += _fwd[i];
                Emit(StepPhase.Forward, i, false, t, before + _out[i] + kept);
            }
            live = before + _out[seg.Last] + kept;
            Emit(StepPhase.Drop, seg.Last, false, t, live);
        }

        live += _out[_model.Stages - 1];
        t += _stepExtra;
        Emit(StepPhase.LossGradient, -1, false, t, live);
        for (int k = segments.Count - 1; k >= 0; k--)
        {
            var seg = segments[k];
            long start = live;
            bool recompute = StepCostModel.IsRecompute(seg);
            if (recompute) t += _model.SegmentSeconds + _model.UnitSeconds * (seg.SavesMatmuls ? 1 : NestedSegments.Recomputed(seg).Count());
            if (seg.IsNested) Nested(seg, top: true);
            else if (_model.Sub(seg) is { } sub) SubBackward(seg.First, sub);
            else if (recompute && seg.SavesMatmuls)
            {
                Resume(seg.First);
                // The kept Linear outputs stay live to the end of the unit's backward (freed with the recompute's graph,
                // measured: docs/cost-model.md, "Save-matmuls: kept outputs live through the backward"), where a full
                // recompute's intermediates go as its backward consumes them.
                Backward(seg, recompute, held: _kept[seg.First]);
            }
            else
            {
                if (recompute)
                    for (int i = seg.First; i <= seg.Last; i++)
                        Forward(StepPhase.Recompute, i, chained: i > seg.First);
                // A recompute segment's output gradient is held by the autograd engine to the end of the segment's
                // backward, as a multi-level segment's (measured: OutputGradientTests); the disposal below frees it.
                // Its stages but the last run their backward as inner stages.
                Backward(seg, recompute, holdGradient: recompute, inner: recompute);
            }
            if (recompute)
            {
                // Its output gradient is consumed and its input gradient made. Its saved input (the previous segment's
                // output) goes too when that segment is also recomputed (its re-run starts from its own input), but for
                // what the model's forward holds.
                bool inputFreed = k > 0 && StepCostModel.IsRecompute(segments[k - 1]);
                live = start - _out[seg.Last] - Kept(seg) + (seg.First > 0 ? _out[seg.First - 1] - (inputFreed ? _inputRelease[seg.First] : 0) : 0) - Merged(seg);
                Emit(StepPhase.Dispose, seg.First, false, t, live);
            }
            else if (k > 0 && StepCostModel.IsRecompute(segments[k - 1]) && _keptInputRelease[seg.First] != _keptHandleRelease[seg.First])
            {
                // A kept stage after a recompute segment: that segment's output was made without autograd, so what the
                // kept figures leave to the previous stage's backward (its saved output) goes with this stage's.
                live -= _keptInputRelease[seg.First] - _keptHandleRelease[seg.First];
                Emit(StepPhase.Backward, seg.First, false, t, live);
            }
        }
        Emit(StepPhase.End, -1, false, t, _model.FixedBytes);
        return peak;

        // The backward of a run of stages that ran with autograd (recompute figures when recomputed). With holdGradient
        // the run's output gradient stays live to the run's end (the caller frees it): a piece of a multi-level segment,
        // whose gradient the runtime (or the autograd engine, at the top) holds until the piece's autograd.grad returns.
        // With held, that many bytes the figures free in the backward stay live to its end (a save-matmuls unit's kept outputs).
        // With inner, every stage but the last runs as an inner stage of a recompute segment (InnerBackward).
        void Backward(Segment seg, bool recompute, bool holdGradient = false, long held = 0, bool inner = false)
        {
            for (int i = seg.Last; i >= seg.First; i--)
            {
                if (inner && i < seg.Last && InnerBackward(i) is { } ib)
                {
                    Emit(StepPhase.Backward, i, true, t + _bwd[i] / 2, live + held + ib.Peak);
                    live -= ib.Release;
                    t += _bwd[i];
                    Emit(StepPhase.Backward, i, false, t, live + held);
                    continue;
                }
                Emit(StepPhase.Backward, i, true, t + _bwd[i] / 2, live + held + (recompute ? _recBt[i] : _bt[i]));
                live -= (recompute ? _recFreed[i] : _freed[i]) + (holdGradient && i == seg.Last ? 0 : _out[i]) + (recompute ? 0 : _merge[i]);
                t += _bwd[i];
                Emit(StepPhase.Backward, i, false, t, live + held);
            }
        }

        // A multi-level segment's backward (docs/planner.md, "Multi-level recompute"); live holds its output's gradient.
        // The recompute runs every inner segment but the last without autograd, keeping each one's output (a checkpoint),
        // and the last with autograd, then backpropagates it; each earlier inner segment is then recomputed from its
        // checkpoint (flat, or nested again) and backpropagated, its checkpoint replaced by its input's gradient. Each
        // piece's output gradient lives to the end of the piece's backward; the top segment's (the autograd engine's,
        // held until the group's backward returns) to the end of the whole segment's, through every inner level; an inner
        // nested piece's (the runtime's own handle) is freed after its last inner segment.
        void Nested(Segment seg, bool top)
        {
            var inner = seg.Inner!;
            for (int j = 0; j < inner.Count - 1; j++)
            {
                long before = live;
                for (int i = inner[j].First; i <= inner[j].Last; i++)
                {
                    long carried = i > inner[j].First ? _out[i - 1] : 0;
                    Emit(StepPhase.Recompute, i, true, t + _fwd[i] / 2, before + carried + _ret[i] + _ft[i]);
                    t += _fwd[i];
                    Emit(StepPhase.Recompute, i, false, t, before + _out[i]);
                }
                live = before + _out[inner[j].Last];
            }
            var last = inner[^1];
            long pieceStart = live;
            for (int i = last.First; i <= last.Last; i++) Forward(StepPhase.Recompute, i, chained: i > last.First);
            Backward(last, recompute: true, holdGradient: true);
            // The last inner segment's input checkpoint is replaced by its gradient; the segment's output gradient goes
            // now at an inner level, at the segment's end at the top.
            live = pieceStart - (top ? 0 : _out[seg.Last]);
            Emit(StepPhase.Dispose, last.First, false, t, live);
            for (int j = inner.Count - 2; j >= 0; j--)
            {
                var piece = inner[j];
                long entry = live;
                if (piece.IsNested) Nested(piece, top: false);
                else
                {
                    for (int i = piece.First; i <= piece.Last; i++) Forward(StepPhase.Recompute, i, chained: i > piece.First);
                    Backward(piece, recompute: true, holdGradient: true);
                }
                live = entry - _out[piece.Last] + (j == 0 && piece.First > 0 ? _out[piece.First - 1] : 0);
                Emit(StepPhase.Dispose, piece.First, false, t, live);
            }
            if (top) live -= _out[seg.Last];

        }

        // A kept unit recomputing a sub-module (docs/selective.md): its forward keeps what the profile measured with the
        // sub-module's graph freed; its backward reruns the sub-module inside (its transient) and frees what it kept.
        void SubForward(int i, SubModuleFigures sub, long extraFreed)
        {
            Emit(StepPhase.Forward, i, true, t + _fwd[i] / 2, live + sub.RetainedBytes + sub.ForwardTransientBytes);
            live += sub.RetainedBytes - (i > 0 ? _inFreed[i] : 0) - extraFreed;
            t += _fwd[i];
            Emit(StepPhase.Forward, i, false, t, live);
        }

        void SubBackward(int i, SubModuleFigures sub)
        {
            double seconds = _model.SegmentSeconds + _model.UnitSeconds + sub.RecomputeSeconds * _model.Scale + _bwd[i];
            Emit(StepPhase.Backward, i, true, t + seconds / 2, live + sub.BackwardTransientBytes);
            live -= sub.BackwardFreedBytes + _out[i] + _merge[i];
            t += seconds;
            Emit(StepPhase.Backward, i, false, t, live);
        }

        // A save-matmuls unit's re-run: its kept Linear outputs are live already, and are part of what it keeps.
        void Resume(int i)
        {
            Emit(StepPhase.Recompute, i, true, t + _savedFwd[i] / 2, live + _ret[i] + _ft[i] - _kept[i]);
            live += _recRet[i] - _kept[i];
            t += _savedFwd[i];
            Emit(StepPhase.Recompute, i, false, t, live);
        }

        // A stage with autograd; when chained, its input's handle is disposed after it ran (frees I_i, and extraFreed more).
        void Forward(StepPhase phase, int i, bool chained, long extraFreed = 0)
        {
            Emit(phase, i, true, t + _fwd[i] / 2, live + _ret[i] + _ft[i]);
            live += (phase == StepPhase.Recompute ? _recRet[i] : _ret[i]) - (chained ? (phase == StepPhase.Recompute ? _recInFreed[i] : _inFreed[i]) : 0) - extraFreed;
            t += _fwd[i];
            Emit(phase, i, false, t, live);
        }
    }

    /// <summary>
    /// Stage <paramref name="i"/>'s backward as an inner stage of a recompute segment that goes on to stage i + 1, or null
    /// where the profile has no inner figures (the last-stage ones stand in): its peak above live before it, and what it
    /// releases (its output gradient, what it saved, its output). Live before it counts the part of its output that stage
    /// i + 1's handle freed in the re-run (I_{i+1}); the stage may still hold that part, which the inner figures, measured
    /// with all of the output live, count.
    /// </summary>
    public (long Peak, long Release)? InnerBackward(int i) =>
        i + 1 < _model.Stages && _innerBt[i] is { } bt && _innerFreed[i] is { } freed
            ? (bt + _recInFreed[i + 1], freed - _recInFreed[i + 1])
            : null;

    /// <summary>What the skips' gradients free as a recompute segment's units' input gradients join them (<see cref="StageProfile.SkipGradientBytes"/>), after its backward.</summary>
    private long Merged(Segment seg)
    {
        long m = 0;
        for (int i = seg.First; i <= seg.Last; i++) m += _merge[i];
        return m;
    }

    /// <summary>The Linear outputs a save-matmuls segment keeps from its forward to its backward; 0 for any other.</summary>
    private long Kept(Segment seg) => seg.SavesMatmuls && seg.Length == 1 ? _kept[seg.First] : 0;
}
