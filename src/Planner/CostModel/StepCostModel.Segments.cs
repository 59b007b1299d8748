using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;

namespace AutoCkpt.Planner.CostModel;

/// <summary>What <see cref="StepCostModel"/> reads of a plan's segments: which run tidy, which the runtime can run, and each segment's own figures.</summary>
public sealed partial class StepCostModel
{
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

    /// <summary>
    /// The figures of the sub-module a kept one-unit segment recomputes (<see cref="SegmentStrategy.SubModule"/>, its option), or null for
    /// any other segment; ACKPT054 when the profile has none for it.
    /// </summary>
    private SubModuleFigures? Sub(Segment seg) => seg.Strategy != SegmentStrategy.SubModule || seg.Option is not { } path ? null
        : Shared.Stages[seg.First].SubModules.FirstOrDefault(m => m.Path == path) ?? throw new AckptException(ErrorCodes.SubModuleNotFound,
            $"the plan recomputes '{path}' inside unit {Profile.Stages[seg.First].Name}, but the profile has no figures for it (its sub_modules): profile again, and plan from that profile.");

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
