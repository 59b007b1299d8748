using System.Diagnostics;
using System.Globalization;
using AutoCkpt.Formats.Options;
using AutoCkpt.Planner;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Solvers;

namespace AutoCkpt.Perf.Planner;

/// <summary>
/// A bound on the optimum of one `speed` case, by SCIP given long: optimum STAGES [--chain random|gpt] [--seed 1]
/// [--cap 0.3] [--plan-limit 10] [--scip 600]. The case is the one `speed` plans (the cap from the plain model's
/// every-stage and no-checkpointing peaks, the default headroom); the plan call (--plan-limit) gives the budget, the max
/// segment and the start plan, and SCIP then solves the MIP over the same space (the same chain graph) from that plan,
/// and prints its incumbent and dual bound: the optimum lies between them.
/// </summary>
internal static class OptimumProbe
{
    public static int Run(string[] args)
    {
        int n = int.Parse(args[0], CultureInfo.InvariantCulture);
        string chain = Opt(args, "--chain") ?? "random";
        int seed = int.Parse(Opt(args, "--seed") ?? "1", CultureInfo.InvariantCulture);
        double c = double.Parse(Opt(args, "--cap") ?? "0.3", CultureInfo.InvariantCulture);
        double planLimit = double.Parse(Opt(args, "--plan-limit") ?? "10", CultureInfo.InvariantCulture);
        double scip = double.Parse(Opt(args, "--scip") ?? "600", CultureInfo.InvariantCulture);
        var profile = chain == "random" ? SyntheticProfiles.Random(n, seed) : SyntheticProfiles.Gpt(n, seed);
        var plain = new StepCostModel(profile);
        long every = plain.PeakBytes(Baselines.EveryStage(n)), none = plain.PeakBytes(Baselines.None(n));
        long cap = every + (long)((none - every) * c);
        var r = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = new MemoryCap(cap, null), TimeLimitSeconds = planLimit });
        long budget = r.Plan.BudgetBytes;
        double tick = TimeTicks.TickSeconds(profile);
        Console.WriteLine($"# {chain} seed {seed}, {n} units, cap {c}: plan call {planLimit} s: {r.Plan.Solver!.Status}, {r.Plan.Predicted!.RecomputeSeconds:F6} s, bound {r.Plan.Solver.LowerBoundSeconds:F6} s ({r.Plan.Solver.Backend}), max segment {r.MaxSegment}; load {File.ReadAllText("/proc/loadavg").Trim()}");
        var space = CheckpointPlanner.SpaceFor(TidyCosts.Model(profile, NoTidyPatterns.Empty), budget);
        var graph = new ChainGraph(space, r.MaxSegment);
        using var mip = new MipModel(graph, "SCIP");
        mip.SetCap(budget);
        mip.MinimiseTime(true);
        mip.Hint(r.Plan.Segments);
        Console.WriteLine($"# the start plan is a path of the graph: {graph.Holds(r.Plan.Segments)}; SCIP for {scip} s");
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var (status, value, bound) = mip.Solve(TimeSpan.FromSeconds(scip), 1e-9);
        string planFits = "-";
        if (status is Google.OrTools.LinearSolver.Solver.ResultStatus.OPTIMAL or Google.OrTools.LinearSolver.Solver.ResultStatus.FEASIBLE)
        {
            var segments = mip.Segments();
            planFits = $"{space.PeakBytes(segments) <= budget} ({TimeTicks.OfPlan(graph.Ticks, segments) * tick:F6} s)";
        }
        Console.WriteLine($"SCIP {status}: incumbent {value * tick:F6} s (fits in exact bytes: {planFits}), dual bound {bound * tick:F6} s; {wall.Elapsed.TotalSeconds:F0} s wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F0} s CPU; load {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    private static string? Opt(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
