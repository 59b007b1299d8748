using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;


namespace AutoCkpt.Planner.CostModel;

/// <summary>
/// Tidy kept stages (docs/cost-model.md, "Tidy kept stages"): a kept stage that may run tidy costs its tidy figures
/// instead of its plain ones. Tidy costs no time and never more memory than the stage needs, so the planner gives the
/// solvers a profile whose kept-stage figures are the tidy ones wherever a stage allows it; every solver, the oracle
/// and the baselines then work on it unchanged, and the plan marks those kept stages tidy.
/// </summary>
public static class TidyCosts
{
    /// <summary>
    /// Per stage: whether the planner may count it tidy when kept: the profile allows it (no code opt-out) and no
    /// pattern of <paramref name="noTidy"/> (<c>--no-tidy</c>, <c>AutoCkptNoTidy</c>) matches its path.
    /// </summary>
    public static bool[] Allowed(Profile profile, NoTidyPatterns noTidy) =>
        [.. profile.Stages.Select(s => s.TidyAllowed && !noTidy.Matches(s.Name))];

    /// <summary>
    /// <paramref name="profile"/> with the kept-stage figures of every allowed stage replaced by its tidy ones (the
    /// profile's <c>tidy</c> figures; failing those, derived from its <c>recompute</c> figures, except for the last stage,
    /// whose recompute figures lack what the loss saves; failing both, unchanged). The sum R + FT (a stage's forward
    /// peak) is kept or raised (R' + FT' = max(measured, R + FT)), so recompute segments, whose forward and re-run peak
    /// at R + FT, predict as before.
    /// </summary>
    public static Profile Apply(Profile profile, IReadOnlyList<bool> allowed)
    {
        int n = profile.Stages.Count;
        return profile with { Stages = [.. profile.Stages.Select((s, i) => allowed[i] ? AsTidy(s, i == n - 1) : s)] };
    }

    /// <summary>The tidy cost model of <paramref name="profile"/> under <paramref name="noTidy"/>, with <see cref="StepCostModel.TidyStages"/> set.</summary>
    public static StepCostModel Model(Profile profile, NoTidyPatterns noTidy)
    {
        var allowed = Allowed(profile, noTidy);
        return new StepCostModel(Apply(profile, allowed)) { TidyStages = allowed };
    }

    /// <summary>
    /// The tidy cost model a written <paramref name="plan"/> was scored with, as far as the plan tells: a stage counts
    /// as allowing tidy when the profile allows it and the plan, where it keeps the stage, made it tidy (a stage the plan
    /// keeps untidy was opted out, e.g. by <c>--no-tidy</c>). A format-1 plan keeps nothing tidy.
    /// </summary>
    public static StepCostModel ForPlan(Plan plan, Profile profile)
    {
        var kept = new bool[profile.Stages.Count];
        foreach (var s in plan.Segments.Where(s => s.Strategy == SegmentStrategy.Keep))
            for (int i = s.First; i <= s.Last && i < kept.Length; i++) kept[i] = true;
        bool[] allowed = [.. Allowed(profile, NoTidyPatterns.Empty).Select((a, i) => a && (!kept[i] || plan.IsTidy(i)))];
        return new StepCostModel(Apply(profile, allowed)) { TidyStages = allowed };
    }

    private static StageProfile AsTidy(StageProfile s, bool isLast)
    {
        // Until it returns a tidy stage runs as the plain one, so its forward peaks as high: R' + FT' ≥ R + FT (the CPU
        // probe's peak is page-grained and misses a small disposed handle in FT', which the plain R holds).
        if (s.Tidy is { } t)
            return s with
            {
                RetainedBytes = t.RetainedBytes,
                ForwardTransientBytes = Math.Max(t.ForwardTransientBytes, s.RetainedBytes + s.ForwardTransientBytes - t.RetainedBytes),
                BackwardTransientBytes = t.BackwardTransientBytes,
                BackwardFreedBytes = t.BackwardFreedBytes,
            };
        if (s.Recompute is { } r && !isLast)
            return s with
            {
                RetainedBytes = r.RetainedBytes,
                ForwardTransientBytes = Math.Max(0, s.RetainedBytes + s.ForwardTransientBytes - r.RetainedBytes),
                BackwardTransientBytes = r.BackwardTransientBytes,
                BackwardFreedBytes = r.BackwardFreedBytes,
            };
        return s;
    }
}
