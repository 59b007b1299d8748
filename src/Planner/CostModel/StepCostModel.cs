using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;

namespace AutoCkpt.Planner.CostModel;

/// <summary>
/// Predicts one training step's peak memory and time for a plan, from a profile. This, with its memory walk
/// (<see cref="StepMemoryWalk"/>), is the only place the cost model is written down; docs/cost-model.md gives its
/// equations and the solvers' tables are derived from them.
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
    private readonly StepMemoryWalk _walk;

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
        // Save-matmuls (docs/selective.md): the Linear outputs a unit keeps, and its recompute time without their matmuls.
        _savedFwd = [.. s.Select(x => (x.SaveMatmuls?.RecomputeSeconds ?? x.ForwardSeconds) * scale)];
        FixedBytes = profile.FixedBytes.Total;
        _walk = new StepMemoryWalk(this, _fwd, _bwd, _savedFwd, _stepExtra);
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

    /// <summary>The factor from the stages' isolated times to the step's (<see cref="TimeScale"/>).</summary>
    internal double Scale => _scale;

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
    public long PeakBytes(IReadOnlyList<Segment> segments) => _walk.Run(segments, null);

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
        _walk.Run(segments, points);
        return points;
    }

    /// <summary>
    /// The figures of the sub-module a kept one-unit segment recomputes (<see cref="SegmentStrategy.SubModule"/>, its option), or null for
    /// any other segment; ACKPT054 when the profile has none for it.
    /// </summary>
    internal SubModuleFigures? Sub(Segment seg) => seg.Strategy != SegmentStrategy.SubModule || seg.Option is not { } path ? null
        : Shared.Stages[seg.First].SubModules.FirstOrDefault(m => m.Path == path) ?? throw new AckptException(ErrorCodes.SubModuleNotFound,
            $"the plan recomputes '{path}' inside unit {Profile.Stages[seg.First].Name}, but the profile has no figures for it (its sub_modules): profile again, and plan from that profile.");

    /// <summary>
    /// Stage <paramref name="i"/>'s backward as an inner stage of a recompute segment that goes on to stage i + 1 (peak
    /// above live before it, and what it releases), or null where the profile has no inner figures (<see cref="StepMemoryWalk.InnerBackward"/>).
    /// </summary>
    public (long Peak, long Release)? InnerBackward(int i) => _walk.InnerBackward(i);

    /// <summary>Whether the walk runs <paramref name="seg"/> as a recompute; the walk knows each strategy itself (it shares nothing with the arcs).</summary>
    internal static bool IsRecompute(Segment seg) =>
        seg.Strategy == SegmentStrategy.Keep || seg.Strategy == SegmentStrategy.SubModule ? false
        : seg.Strategy == SegmentStrategy.Recompute || seg.Strategy == SegmentStrategy.SaveMatmuls ? true
        : throw new AckptException(ErrorCodes.PlanUnknownStrategy, $"the cost model does not know strategy '{seg.Strategy}'.");
}
