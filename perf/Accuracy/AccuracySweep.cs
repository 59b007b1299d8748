using System.Globalization;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;

namespace AutoCkpt.Perf.Accuracy;

/// <summary>
/// The accuracy sweep (<c>--sweep</c>, docs/benchmarks.md "Accuracy suite"): the planner's choice depends on measured
/// times, so a plan that is rarely chosen can expose a misprediction that the suite's own plans never hit. The sweep
/// benches every option the planner could place at every unit position, one at a time: each plan runs one unit (or one
/// segment) with the option and every other unit kept tidy where it may be, and each is checked against its
/// prediction as the suite checks its rows.
/// </summary>
public static class AccuracySweep
{
    /// <summary>One plan of the sweep: its file tag and its segments.</summary>
    /// <param name="Tag">A file-safe name, e.g. "3-save_matmuls" or "1-2-recompute".</param>
    /// <param name="Segments">The plan's segments, covering every unit.</param>
    /// <param name="Tidy">Per unit: kept tidy.</param>
    public sealed record SweepPlan(string Tag, IReadOnlyList<Segment> Segments, IReadOnlyList<bool> Tidy);

    /// <summary>
    /// The plans for <paramref name="profile"/>: per unit, each option it may take (keep without tidy, recompute,
    /// save_matmuls where the profile measured it, each sub-module it offers), the rest tidy; then a few multi-unit
    /// recompute segments (the first two units, two in the middle, all but the last).
    /// </summary>
    public static IReadOnlyList<SweepPlan> Plans(Profile profile)
    {
        var stages = profile.Stages;
        int n = stages.Count;
        bool[] tidy = [.. stages.Select(s => s.TidyAllowed && s.Tidy is not null)];
        var plans = new List<SweepPlan>();
        for (int i = 0; i < n; i++)
        {
            var st = stages[i];
            if (tidy[i]) plans.Add(With(i, i, SegmentStrategy.Keep, null, $"{i}-keep", untidy: true));
            if (!st.RecomputeAllowed) continue;
            plans.Add(With(i, i, SegmentStrategy.Recompute, null, $"{i}-recompute"));
            if (st.SaveMatmuls is not null) plans.Add(With(i, i, SegmentStrategy.SaveMatmuls, null, $"{i}-save_matmuls"));
            for (int k = 0; k < st.SubModules.Count; k++)
                plans.Add(With(i, i, SegmentStrategy.SubModule, st.SubModules[k].Path, $"{i}-sub_module-{k}"));
        }
        foreach (var (a, b) in new[] { (0, 1), (n / 2 - 1, n / 2), (0, n - 2) }.Distinct())
            if (a >= 0 && b > a && b < n && Enumerable.Range(a, b - a + 1).All(i => stages[i].RecomputeAllowed))
                plans.Add(With(a, b, SegmentStrategy.Recompute, null, $"{a}-{b}-recompute"));
        return plans;

        SweepPlan With(int a, int b, SegmentStrategy strategy, string? option, string tag, bool untidy = false)
        {
            var segments = new List<Segment>();
            for (int i = 0; i < a; i++) segments.Add(new Segment(i, i, SegmentStrategy.Keep));
            segments.Add(new Segment(a, b, strategy) { Option = option });
            for (int i = b + 1; i < n; i++) segments.Add(new Segment(i, i, SegmentStrategy.Keep));
            bool[] t = [.. tidy];
            for (int i = a; i <= b; i++) t[i] = !untidy && strategy.Base == SegmentStrategy.Keep && tidy[i];
            return new SweepPlan(tag, segments, t);
        }
    }

    /// <summary>
    /// The plan file for <paramref name="plan"/>, made from <paramref name="profile"/> (read from
    /// <paramref name="profileFile"/>, a name in the plan's folder). Its cap is twice the no-recompute peak's worth of
    /// every stage held whole, so that no sweep plan is refused for its cap: the sweep checks predictions, not fits.
    /// </summary>
    public static Plan File(Profile profile, string profileFile, SweepPlan plan) => new()
    {
        Target = profile.Target,
        Model = profile.Model,
        Device = profile.Device,
        BatchSize = profile.BatchSize,
        MemoryCapBytes = 2 * (profile.FixedBytes.Total + profile.Stages.Sum(s => s.RetainedBytes + s.OutputBytes + s.ForwardTransientBytes + s.BackwardTransientBytes)),
        ProfilePath = profileFile,
        Segments = plan.Segments,
        UnitPaths = [.. profile.Stages.Select(s => s.Name)],
        InputShape = profile.InputShape,
        TidyUnits = plan.Tidy,
    };

    /// <summary>Profiles each model, then benches every sweep plan; rows are named by the plan's tag ("sweep 3-save_matmuls").</summary>
    public static SuiteResult Run(SuiteOptions o)
    {
        var rows = new List<SuiteRow>();
        var failures = new List<string>();
        foreach (var model in o.Models)
        {
            string dir = Path.Combine(o.OutDir, model.Target, "sweep");
            Directory.CreateDirectory(dir);
            string profilePath = Path.Combine(dir, "profile.yaml");
            var batch = o.Tiny ? ["--batch-size", Num(model.TinyBatch)] : Array.Empty<string>();
            o.Log($"{model.Target}: profile");
            int profiled = AccuracySuite.Tool(o, Path.Combine(dir, "profile.log"),
                ["profile", "--project", o.AppDll, "--target", model.Target, "--repeats", Num(o.Repeats), "--out", profilePath, .. batch]);
            if (profiled != 0)
            {
                failures.Add($"{model.Target}: profile exited {profiled} ({Path.Combine(dir, "profile.log")})");
                continue;
            }
            var profile = ProfileFile.Read(profilePath);
            var plans = Plans(profile);
            bool baselines = true;
            for (int p = 0; p < plans.Count; p++)
            {
                var sweep = plans[p];
                string planPath = Path.Combine(dir, $"plan-{sweep.Tag}.yaml"), json = Path.Combine(dir, $"bench-{sweep.Tag}.json");
                o.Log($"{model.Target}: sweep {p + 1}/{plans.Count}: {sweep.Tag}");
                PlanFile.Write(planPath, File(profile, "profile.yaml", sweep), $"# The accuracy sweep's plan {sweep.Tag} (perf/Accuracy --sweep); every other unit kept tidy.");
                if (System.IO.File.Exists(json)) System.IO.File.Delete(json);
                int benched = AccuracySuite.Tool(o, Path.Combine(dir, $"bench-{sweep.Tag}.log"),
                    ["bench", "--project", o.AppDll, "--target", model.Target, "--plan", planPath, "--steps", Num(o.Steps), "--json", json, .. batch]);
                if (!System.IO.File.Exists(json))
                {
                    failures.Add($"{model.Target} sweep {sweep.Tag}: bench exited {benched} without results ({Path.Combine(dir, $"bench-{sweep.Tag}.log")})");
                    continue;
                }
                foreach (var row in AccuracySuite.Rows(model.Target, 0, json))
                {
                    // The bench's own strategies (none, tidy, every_stage, uniform_k) come with every plan: kept once.
                    if (row.Strategy == "plan") rows.Add(row with { Strategy = $"sweep {sweep.Tag}", CapBytes = 0, FitsCap = true });
                    else if (baselines && !row.Strategy.StartsWith("uniform_", StringComparison.Ordinal)) rows.Add(row with { CapBytes = 0, FitsCap = true });
                }
                baselines = false;
            }
        }
        return new SuiteResult(rows, failures);
    }

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);
}
