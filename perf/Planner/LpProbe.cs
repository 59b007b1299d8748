using System.Diagnostics;
using AutoCkpt.Planner;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Solvers;

namespace AutoCkpt.Perf.Planner;

/// <summary>Time and value of the MIP's LP relaxation (GLOP): the lower bound behind the gap on large chains.</summary>
internal static class LpProbe
{
    public static int Run(string[] args)
    {
        // lp STAGES... [--max-segment L]: L defaults to PlanRequest.DefaultMaxSegment(n).
        int at = Array.IndexOf(args, "--max-segment");
        int? max = at >= 0 ? int.Parse(args[at + 1]) : null;
        foreach (int n in args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(int.Parse))
        {
            var profile = SyntheticProfiles.Gpt(n, 1);
            var model = new StepCostModel(profile);
            long every = model.PeakBytes(Baselines.EveryStage(n)), none = model.PeakBytes(Baselines.None(n));
            foreach (double c in new[] { 0.1, 0.5, 0.9 })
            {
                long cap = every + (long)((none - every) * c);
                var sw = Stopwatch.StartNew();
                var t = new SegmentTables(profile, max ?? PlanRequest.DefaultMaxSegment(n));
                using var lp = new MipModel(t, "GLOP", relax: true);
                lp.SetCap(cap);
                lp.MinimiseTime(true);
                double build = sw.Elapsed.TotalSeconds;
                var (status, value, _) = lp.Solve(TimeSpan.FromSeconds(60), 0);
                double tick = TimeTicks.TickSeconds(profile);
                Console.WriteLine($"{n}\t{c}\t{status}\tbuild {build:F2}s\tsolve {sw.Elapsed.TotalSeconds - build:F2}s\tLP bound {value * tick:F4}s");
            }
        }
        return 0;
    }
}
