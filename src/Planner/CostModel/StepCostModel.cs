using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;


namespace AutoCkpt.Planner.CostModel;

/// <summary>
/// Predicts one training step's peak memory and time for a plan, from a profile. This is the only place the cost
/// model is written down; docs/cost-model.md gives its equations and the solvers' tables are derived from them.
/// </summary>
/// <remarks>
/// The runtime runs stages as a chain: each stage output's handle is disposed once the next stage consumed it, so
/// a kept stage holds R_i − I_i; the backward releases each stage's <c>backward_freed_bytes</c> and the output
/// gradient it consumed. A recompute segment runs without autograd, stage by stage, and keeps its output; just
/// before its backward it re-runs with autograd, keeping only what autograd saved (the profile's recompute figures),
/// and afterwards disposes all it made, leaving its input gradient.
/// </remarks>
public sealed class StepCostModel
{
    private readonly double[] _fwd, _bwd, _savedFwd;
    private readonly double _stepExtra;
    private readonly long?[] _innerBt, _innerFreed;
    private readonly long[] _kept, _merge, _out, _ret, _ft, _bt, _freed, _inFreed, _recInFreed, _inputRelease, _keptInputRelease, _keptHandleRelease, _recRet, _recBt, _recFreed;

    /// <summary>
    /// The most a sum of the profile's byte counts may reach: 2⁶² bytes, a quarter of a long, so that no sum the model or
    /// a solver forms (each figure counted at most four times over a step) can overflow.
    /// </summary>
    public const double MaxByteSum = 4.611686018427388E+18;

    /// <summary>
    /// Builds the model from a validated profile. Throws <see cref="AckptException"/> (ACKPT045) when its byte counts
    /// could sum past <see cref="MaxByteSum"/> or its seconds sum to infinity: checked sums would throw and unchecked
    /// ones would wrap to a negative peak that is then planned.
    /// </summary>
    public StepCostModel(Profile profile)
    {
        ProfileRange.Check(profile);
        Profile = profile;
        // Tensors held by two (the model's forward, a stage that saves its output): each freed where the step frees it.
        Shared = new SharedTensors(profile.Stages);
        var s = Shared.Stages;
        // Step time (docs/cost-model.md, "Step time"): the stages' times scaled to the measured whole step, and a cost per
        // recompute segment, where the profile measured them; the stages' own sums otherwise.
        double scale = _scale = TimeScale(profile);
        _fwd = [.. s.Select(x => x.ForwardSeconds * scale)];
        _bwd = [.. s.Select(x => x.BackwardSeconds * scale)];
        SegmentSeconds = profile.StepTime?.RecomputeSegmentSeconds ?? 0;
        UnitSeconds = profile.StepTime?.RecomputeUnitSeconds ?? 0;
        // What the measured step takes beyond its stages (the loss, the scope's disposal): paid once, never recomputed.
        _stepExtra = profile.StepTime is { StepSeconds: > 0 } st ? Math.Max(0, st.StepSeconds - scale * s.Sum(x => x.ForwardSeconds + x.BackwardSeconds)) : 0;
        _out = [.. s.Select(x => x.OutputBytes)];
        _ret = [.. s.Select(x => x.RetainedBytes)];
        _ft = [.. s.Select(x => x.ForwardTransientBytes)];
        _bt = [.. s.Select(x => x.BackwardTransientBytes)];
        _freed = [.. s.Select(x => x.BackwardFreedBytes)];
        // A skip's gradient, freed when the unit's input gradient joins it after the unit's backward (docs/cost-model.md, "Skip gradients").
        _merge = [.. s.Select(x => x.SkipGradientBytes)];
        _inFreed = [.. s.Select((x, i) => i == 0 ? 0 : x.InputFreedBytes)];
        _recInFreed = Shared.RecomputeInputFreed;
        _inputRelease = Shared.InputRelease;
        _keptInputRelease = Shared.KeptInputRelease;
        _keptHandleRelease = Shared.KeptHandleRelease;
        // Inside a recompute segment's backward a stage keeps only what autograd saved, the runtime having disposed
        // every other handle the stage made (the profile's recompute figures; the plain ones stand in when absent).
        _recRet = [.. s.Select(x => x.Recompute?.RetainedBytes ?? x.RetainedBytes)];
        _recBt = [.. s.Select(x => x.Recompute?.BackwardTransientBytes ?? x.BackwardTransientBytes)];
        _recFreed = [.. s.Select(x => x.Recompute?.BackwardFreedBytes ?? x.BackwardFreedBytes)];
        // An inner stage of a multi-unit segment (every stage but its last): its output and output gradient may go early
        // in its backward (docs/cost-model.md, "Inner stages of a multi-unit recompute segment"); absent, the last-stage figures.
        _innerBt = [.. s.Select(x => x.Recompute?.InnerBackwardTransientBytes)];
        _innerFreed = [.. s.Select(x => x.Recompute?.InnerBackwardFreedBytes)];
        // Save-matmuls (docs/selective.md): the Linear outputs a unit keeps, and its recompute time without their matmuls.
        _kept = [.. s.Select(x => x.SaveMatmuls?.KeptBytes ?? 0)];
        _savedFwd = [.. s.Select(x => (x.SaveMatmuls?.RecomputeSeconds ?? x.ForwardSeconds) * scale)];
        FixedBytes = profile.FixedBytes.Total;
        double t = _stepExtra;
        for (int i = 0; i < s.Count; i++) t += _fwd[i] + _bwd[i];
        BaseStepSeconds = t;
    }

    /// <summary>
    /// Per stage: whether the profile's kept-stage figures are the tidy ones (<see cref="TidyCosts.Model"/>), so a plan
    /// keeping the stage runs it tidy. Empty for a plain model.
    /// </summary>
    public IReadOnlyList<bool> TidyStages { get; init; } = [];

    /// <summary>
    /// Whether the plan space holds multi-level recompute segments (the nested strategy's arcs, the oracle's nested
    /// plans). True by default; <see cref="SingleLevel"/> turns it off (docs/planner.md, "Multi-level recompute": the
    /// planner searches single-level plans where the every-stage plan fits). Scoring a plan never depends on it.
    /// </summary>
    public bool MultiLevel { get; private init; } = true;

    /// <summary>This model with <see cref="MultiLevel"/> off: the same figures, a plan space of flat segments only.</summary>
    public StepCostModel SingleLevel() => MultiLevel ? new StepCostModel(Profile) { TidyStages = TidyStages, MultiLevel = false } : this;

    /// <summary>Whether any stage is counted tidy when kept.</summary>
    public bool IsTidy => TidyStages.Any(t => t);

    /// <summary>Per stage, for <paramref name="segments"/>: whether it is kept and counted tidy (a plan's <c>tidy</c> flags).</summary>
    public bool[] TidyUnits(IReadOnlyList<Segment> segments)
    {
        var tidy = new bool[Stages];
        foreach (var seg in segments)
            if (seg.Strategy.Base == SegmentStrategy.Keep)
                for (int i = seg.First; i <= seg.Last; i++) tidy[i] = i < TidyStages.Count && TidyStages[i];
        return tidy;
    }

    /// <summary>
    /// <paramref name="segments"/> as the runtime can run them: a recompute segment over units that may not be recomputed
    /// (<see cref="StageProfile.RecomputeAllowed"/>) is split around them, and those units kept; one that continues past a
    /// unit whose output is used later (<see cref="StageProfile.OutputUsedLater"/>) is split after it. The same segments
    /// when neither arises. How the baselines (every_stage, uniform_k, sqrt_n) meet such units.
    /// </summary>
    public IReadOnlyList<Segment> Runnable(IReadOnlyList<Segment> segments)
    {
        var st = Profile.Stages;
        if (st.All(x => x.RecomputeAllowed && !x.OutputUsedLater)) return segments;
        var result = new List<Segment>(segments.Count);
        foreach (var seg in segments)
        {
            if (seg.Strategy != SegmentStrategy.Recompute) { result.Add(seg); continue; }
            int from = seg.First;
            for (int i = seg.First; i <= seg.Last + 1; i++)
            {
                if (i <= seg.Last && st[i].RecomputeAllowed)
                {
                    if (st[i].OutputUsedLater && i < seg.Last)
                    {
                        result.Add(new Segment(from, i, SegmentStrategy.Recompute));
                        from = i + 1;
                    }
                    continue;
                }
                if (i > from) result.Add(new Segment(from, i - 1, SegmentStrategy.Recompute));
                if (i <= seg.Last) result.Add(new Segment(i, i, SegmentStrategy.Keep));
                from = i + 1;
            }
        }
        return result;
    }

    private readonly double _scale;

    /// <summary>The profile the model reads (for a tidy model, with the tidy figures in place of kept stages' plain ones).</summary>
    public Profile Profile { get; }

    /// <summary>The profile's figures with shared tensors freed where the step frees them (<see cref="SharedTensors"/>): what the walk and the arcs read.</summary>
    public SharedTensors Shared { get; }

    /// <summary>The number of stages.</summary>
    public int Stages => _fwd.Length;

    /// <summary>Fixed memory F (parameters, gradients, optimizer state, batch), in bytes.</summary>
    public long FixedBytes { get; }

    /// <summary>
    /// The step time with no recompute, in seconds: Σ (forward + backward) over stages, or the profile's measured whole
    /// step where it has one (the stages scaled down to it, <see cref="TimeScale"/>, or the rest spent outside them).
    /// </summary>
    public double BaseStepSeconds { get; }

    /// <summary>What each recompute segment costs beyond its stages' forward time (the profile's <c>step_time</c>; 0 without), in seconds.</summary>
    public double SegmentSeconds { get; }

    /// <summary>
    /// What each unit a recompute segment re-runs costs beyond its forward time (the profile's
    /// <c>step_time.recompute_unit_seconds</c>; 0 without), in seconds: once per recompute that runs the unit.
    /// </summary>
    public double UnitSeconds { get; }

    /// <summary>
    /// The factor from the stages' isolated times to the step as measured whole: <c>step_time.step_seconds</c> / Σ (forward +
    /// backward) where the stages sum to more than the step (isolated passes overstate small stages: each pays fixed costs
    /// a whole step pays once, docs/cost-model.md), else 1: a step longer than its stages spends the rest outside them
    /// (the loss, the scope's disposal), once, and a recompute repeats none of it. 1 without <c>step_time</c>.
    /// </summary>
    public static double TimeScale(Profile profile)
    {
        double sum = profile.Stages.Sum(x => x.ForwardSeconds + x.BackwardSeconds);
        return profile.StepTime is { StepSeconds: > 0 } st && sum > 0 ? Math.Min(1, st.StepSeconds / sum) : 1;
    }

    /// <summary>Peak, step time and recompute time of a plan. Segments must cover every stage once.</summary>
    public Prediction Predict(IReadOnlyList<Segment> segments)
    {
        double recompute = RecomputeSeconds(segments);
        return new Prediction(PeakBytes(segments), BaseStepSeconds + recompute, recompute) { FixedBytes = FixedBytes };
    }

    /// <summary>The predicted step peak in bytes: the largest point of <see cref="Series"/>.</summary>
    public long PeakBytes(IReadOnlyList<Segment> segments) => Walk(segments, null);

    /// <summary>
    /// Σ forward seconds of the recomputed stages, summed in stage order (a stage of a multi-level segment once per
    /// recompute that runs it), plus <see cref="SegmentSeconds"/> per recompute segment and <see cref="UnitSeconds"/> per
    /// recomputed stage (each time it is recomputed; one for a sub-module of a kept unit).
    /// </summary>
    public double RecomputeSeconds(IReadOnlyList<Segment> segments)
    {
        double t = 0;
        foreach (var seg in segments)
            if (IsRecompute(seg))
            {
                t += SegmentSeconds;
                if (seg.SavesMatmuls) t += UnitSeconds + _savedFwd[seg.First];
                else foreach (int i in NestedSegments.Recomputed(seg)) t += UnitSeconds + _fwd[i];
            }
            else if (Sub(seg) is { } sub)
                t += SegmentSeconds + UnitSeconds + sub.RecomputeSeconds * _scale;
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
        for (int k = 0; k < segments.Count; k++)
        {
            var seg = segments[k];
            if (!IsRecompute(seg))
            {
                // After a recompute segment, whose output no autograd saves, the first stage's handle frees that too.
                long afterRecompute = k > 0 && IsRecompute(segments[k - 1]) ? _keptHandleRelease[seg.First] : 0;
                if (Sub(seg) is { } sub) SubForward(seg.First, sub, afterRecompute);
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

        live += _out[Stages - 1];
        t += _stepExtra;
        Emit(StepPhase.LossGradient, -1, false, t, live);
        for (int k = segments.Count - 1; k >= 0; k--)
        {
            var seg = segments[k];
            long start = live;
            bool recompute = IsRecompute(seg);
            if (recompute) t += SegmentSeconds + UnitSeconds * (seg.SavesMatmuls ? 1 : NestedSegments.Recomputed(seg).Count());
            if (seg.IsNested) Nested(seg, top: true);
            else if (Sub(seg) is { } sub) SubBackward(seg.First, sub);
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
                bool inputFreed = k > 0 && IsRecompute(segments[k - 1]);
                live = start - _out[seg.Last] - Kept(seg) + (seg.First > 0 ? _out[seg.First - 1] - (inputFreed ? _inputRelease[seg.First] : 0) : 0) - Merged(seg);
                Emit(StepPhase.Dispose, seg.First, false, t, live);
            }
            else if (k > 0 && IsRecompute(segments[k - 1]) && _keptInputRelease[seg.First] != _keptHandleRelease[seg.First])
            {
                // A kept stage after a recompute segment: that segment's output was made without autograd, so what the
                // kept figures leave to the previous stage's backward (its saved output) goes with this stage's.
                live -= _keptInputRelease[seg.First] - _keptHandleRelease[seg.First];
                Emit(StepPhase.Backward, seg.First, false, t, live);
            }
        }
        Emit(StepPhase.End, -1, false, t, FixedBytes);
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
            double seconds = SegmentSeconds + UnitSeconds + sub.RecomputeSeconds * _scale + _bwd[i];
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
    /// The figures of the sub-module a kept one-unit segment recomputes (<see cref="SegmentStrategy.SubModule"/>, its option), or null for
    /// any other segment; ACKPT054 when the profile has none for it.
    /// </summary>
    private SubModuleFigures? Sub(Segment seg) => seg.Strategy != SegmentStrategy.SubModule || seg.Option is not { } path ? null
        : Shared.Stages[seg.First].SubModules.FirstOrDefault(m => m.Path == path) ?? throw new AckptException(ErrorCodes.SubModuleNotFound,
            $"the plan recomputes '{path}' inside unit {Profile.Stages[seg.First].Name}, but the profile has no figures for it (its sub_modules): profile again, and plan from that profile.");

    /// <summary>
    /// Stage <paramref name="i"/>'s backward as an inner stage of a recompute segment that goes on to stage i + 1, or null
    /// where the profile has no inner figures (the last-stage ones stand in): its peak above live before it, and what it
    /// releases (its output gradient, what it saved, its output). Live before it counts the part of its output that stage
    /// i + 1's handle freed in the re-run (I_{i+1}); the stage may still hold that part, which the inner figures, measured
    /// with all of the output live, count.
    /// </summary>
    public (long Peak, long Release)? InnerBackward(int i) =>
        i + 1 < Stages && _innerBt[i] is { } bt && _innerFreed[i] is { } freed
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

    /// <summary>Whether the walk runs <paramref name="seg"/> as a recompute; the walk knows each strategy itself (it shares nothing with the arcs).</summary>
    private static bool IsRecompute(Segment seg) =>
        seg.Strategy == SegmentStrategy.Keep || seg.Strategy == SegmentStrategy.SubModule ? false
        : seg.Strategy == SegmentStrategy.Recompute || seg.Strategy == SegmentStrategy.SaveMatmuls ? true
        : throw new AckptException(ErrorCodes.PlanUnknownStrategy, $"the cost model does not know strategy '{seg.Strategy}'.");
}
