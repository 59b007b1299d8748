using System.Diagnostics;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Planner;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Solvers;

namespace AutoCkpt.Perf.Planner;

/// <summary>Where a plan call's time goes, phase by phase, on a random chain: phases STAGES [--cap 0.5] [--seed 1].</summary>
internal static class PhaseProbe
{
    public static int Run(string[] args)
    {
        int n = int.Parse(args[0]);
        int at = Array.IndexOf(args, "--cap");
        double c = at >= 0 ? double.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : 0.5;
        int seedAt = Array.IndexOf(args, "--seed");
        var profile = SyntheticProfiles.Random(n, seedAt >= 0 ? int.Parse(args[seedAt + 1]) : 1);
        var sw = Stopwatch.StartNew();
        void Lap(string what) { Console.WriteLine($"{what}\t{sw.Elapsed.TotalSeconds:F3}s\t{GC.GetTotalMemory(false) / 1e6:F0} MB managed\t{Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB peak"); sw.Restart(); }
        var model = TidyCosts.Model(profile, NoTidyPatterns.Empty);
        Lap("model");
        long every = model.PeakBytes(Baselines.EveryStage(n)), none = model.PeakBytes(Baselines.None(n));
        long cap = every + (long)((none - every) * c);
        Lap("two peaks");
        var uniform = Baselines.BestUniform(model, cap);
        Lap($"best uniform ({uniform?.Name})");
        int L = PlanRequest.DefaultMaxSegment(n);
        var greedy = GreedyPlanner.Plan(model, L, cap, TimeSpan.FromSeconds(5));
        Lap("greedy");
        var g = new ChainGraph(model, L);
        Lap($"chain graph (L {L}, {g.Out.Sum(a => a.Length)} arcs)");
        var bound = new TimeBound(g, cap - g.FixedBytes);
        Lap("time bound + cost-to-go");
        long upper = greedy is null ? long.MaxValue : TimeTicks.OfPlan(g.Ticks, greedy);
        foreach (double seconds in new[] { 0.5, 2, 8 })
        {
            var lagrange = new LagrangianBound(g, cap - g.FixedBytes);
            lagrange.Run(upper, TimeSpan.FromSeconds(seconds), int.MaxValue);
            Lap($"Lagrangian bound, {seconds} s ({lagrange.LowerTicks * TimeTicks.TickSeconds(profile):F4} s)");
        }
        var lp = LpGuide.Fits(g, TimeSpan.FromSeconds(10)) ? LpGuide.Solve(g, cap, TimeSpan.FromSeconds(60)) : new LpGuide.Result(false, 0, null);
        Lap($"LP ({lp.LowerBoundTicks * TimeTicks.TickSeconds(profile):F4} s)");
        if (args.Contains("--grid"))
        {
            var dp = new DynamicProgramSolver(model, L);
            var gp = dp.Gridded(greedy, cap, bound, TimeSpan.FromSeconds(120));
            Lap($"gridded ({(gp is null ? "-" : model.Predict(gp).RecomputeSeconds.ToString("F4"))} s; greedy {(greedy is null ? "-" : model.Predict(greedy).RecomputeSeconds.ToString("F4"))} s)");
        }
        var r = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = new MemoryCap(cap, null), Headroom = PlanRequest.NoHeadroom, TimeLimitSeconds = 10 });
        Lap($"whole plan call ({r.Plan.Solver!.Status}, gap {r.Plan.Solver.Gap:P2}, solve {r.Plan.Solver.SolveSeconds:F2}s)");
        return 0;
    }
}
