using AutoCkpt.Formats.Plans;
using AutoCkpt.Planner;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Strategies;
using Spectre.Console;

namespace AutoCkpt.Cli.Output;

/// <summary>Prints a plan: its segments, its prediction against the cap, the baselines and the sweep.</summary>
internal static class PlanTables
{
    /// <summary>Prints <paramref name="plan"/>; <paramref name="model"/> (its profile) adds names and per-segment costs.</summary>
    public static void Render(IAnsiConsole console, Plan plan, StepCostModel? model)
    {
        var pred = plan.Predicted;
        double? baseStep = model?.BaseStepSeconds ?? (pred is null ? null : pred.StepSeconds - pred.RecomputeSeconds);
        console.MarkupLine($"[bold]Plan for {Markup.Escape(plan.Target)}[/]: {plan.Model.Stages} stages, batch {plan.BatchSize}, {Markup.Escape(plan.Device.Type)} {Markup.Escape(plan.Device.Name)}");
        console.Write(Segments(plan, model));
        var grid = new Grid().AddColumn().AddColumn();
        if (pred is not null)
        {
            string fits = pred.PeakBytes <= plan.BudgetBytes ? "[green]fits[/]" : "[red]over[/]";
            string headroom = plan.HeadroomBytes > 0 ? $", headroom {Fmt.Bytes(plan.HeadroomBytes)} kept free" : "";
            grid.AddRow("Predicted peak", $"{Fmt.Bytes(pred.PeakBytes)} of cap {Fmt.Bytes(plan.MemoryCapBytes)} ({Fmt.Pct((double)pred.PeakBytes / plan.MemoryCapBytes)}{headroom}, {fits})");
            grid.AddRow("Predicted step", $"{Fmt.Ms(pred.StepSeconds)}, recompute {Fmt.Ms(pred.RecomputeSeconds)} ({Fmt.Overhead(pred.StepSeconds, baseStep!.Value)})");
        }
        if (plan.Solver is { } s)
            grid.AddRow("Solver", $"{s.Method} ({s.Backend}), {s.Status}{(s.Status == "optimal" ? "" : $", gap {Fmt.Pct(s.Gap)}{(s.Bound is { } against ? $" of the recompute time against {Markup.Escape(against)}" : "")}")}, {s.SolveSeconds:0.###} s");
        console.Write(grid);
        if (plan.Baselines.Count > 0 && baseStep is { } b) console.Write(Baselines(plan, b));
        if (plan.Sweep.Count > 0 && baseStep is { } b2) console.Write(Sweep(plan, b2));
    }

    /// <summary>
    /// Says which peaks <c>none</c> and <c>tidy</c> are and what a percentage cap refers to, so a user can pick a cap
    /// knowingly.
    /// </summary>
    public static void RenderPeaks(IAnsiConsole console, PlanResult result)
    {
        console.MarkupLine($"none = the plain model, no recompute, every intermediate handle kept to the end of the step: peak {Fmt.Bytes(result.NoCheckpointingPeakBytes)}. " +
            $"--memory-cap N% is N% of this peak.");
        console.MarkupLine($"tidy = no recompute, each kept unit frees the handles it made but its output (what PyTorch keeps): peak {Fmt.Bytes(result.TidyPeakBytes)} " +
            $"({Fmt.Pct((double)result.TidyPeakBytes / result.NoCheckpointingPeakBytes)} of none). The plan's kept units are tidy where allowed ({result.Plan.TidyCount} of {result.Plan.Model.Stages} units).");
        if (result.SmallestPeakBytes is { } least)
            console.MarkupLine($"smallest reachable peak (least of any plan) {Fmt.Bytes(least)}. --memory-cap range:N% is N% of the way from it up to the tidy peak.");
        console.MarkupLine($"The cap: {Markup.Escape(result.CapDescription)}.");
    }

    private static Table Segments(Plan plan, StepCostModel? model)
    {
        var table = new Table().Title("segments").AddColumns("#", "stages", "names", "strategy", "held in forward", "recompute");
        var stages = model?.Profile.Stages;
        for (int i = 0; i < plan.Segments.Count; i++)
        {
            var seg = plan.Segments[i];
            bool rec = seg.Strategy.Recomputes;
            var planned = StrategyRegistry.For(seg.Strategy);
            string names = stages is null ? "" : seg.Length == 1 ? stages[seg.First].Name : $"{stages[seg.First].Name} .. {stages[seg.Last].Name}";
            long kept = stages is null || planned is null ? 0 : Enumerable.Range(seg.First, seg.Length).Sum(u => planned.KeptBytes(stages[u]));
            // A unit recomputing a sub-module (one unit) holds what the profile measured with it so, and recomputes only it.
            var part = stages is null || seg.Option is not { } path ? null : stages[seg.First].SubModules.FirstOrDefault(m => m.Path == path);
            string held = stages is null ? "" : Fmt.Bytes(part?.RetainedBytes ?? (rec ? stages[seg.Last].OutputBytes + kept : stages.Skip(seg.First).Take(seg.Length).Sum(x => x.RetainedBytes)));
            int tidy = Enumerable.Range(seg.First, seg.Length).Count(plan.IsTidy);
            string label = seg.Strategy.IsVariant ? $"{seg.Strategy.Base.Label}, {seg.Strategy.Label}{(seg.Option is { } option ? $" {option}" : "")}" : seg.Strategy.Label;
            string strategy = seg.IsNested ? $"[darkorange]{label}, {Levels(seg)} levels[/]" : rec ? $"[darkorange]{Markup.Escape(label)}[/]" : tidy == seg.Length ? $"{label}, tidy" : tidy == 0 ? label : $"{label}, {tidy} tidy";
            string time = stages is null ? "" : part is not null ? Fmt.Ms(part.RecomputeSeconds)
                : rec ? Fmt.Ms(NestedSegments.Recomputed(seg).Sum(u => planned?.RecomputeSeconds(stages[u]) ?? stages[u].ForwardSeconds)) : "";
            table.AddRow(
                (i + 1).ToString(),
                seg.Length == 1 ? $"{seg.First}" : $"{seg.First}-{seg.Last}",
                Markup.Escape(names),
                strategy,
                held,
                time);
        }
        return table;
    }

    /// <summary>How deep a multi-level segment's recompute nests: 2 when its inner segments are flat.</summary>
    private static int Levels(Segment seg) => seg.Inner is null ? 1 : 1 + seg.Inner.Max(Levels);

    private static Table Baselines(Plan plan, double baseStep)
    {
        var table = new Table().Title("the same cost model on common strategies").AddColumns("strategy", "peak", plan.HeadroomBytes > 0 ? "fits cap less headroom" : "fits cap", "step", "overhead");
        if (plan.Predicted is { } p)
            table.AddRow("[bold]this plan[/]", Fmt.Bytes(p.PeakBytes), p.PeakBytes <= plan.BudgetBytes ? "yes" : "no", Fmt.Ms(p.StepSeconds), $"[bold]{Fmt.Overhead(p.StepSeconds, baseStep)}[/]");
        foreach (var b in plan.Baselines)
        {
            bool fits = b.PeakBytes <= plan.BudgetBytes;
            table.AddRow(Markup.Escape(b.Name), Fmt.Bytes(b.PeakBytes), fits ? "yes" : "[grey]no[/]", Fmt.Ms(b.StepSeconds), fits ? Fmt.Overhead(b.StepSeconds, baseStep) : $"[grey]{Fmt.Overhead(b.StepSeconds, baseStep)}[/]");
        }
        return table;
    }

    private static Table Sweep(Plan plan, double baseStep)
    {
        var table = new Table().Title("Pareto front (--sweep): least overhead at each cap").AddColumns("cap", "optimal peak", "optimal overhead", "best uniform", "its overhead");
        foreach (var s in plan.Sweep)
            table.AddRow(
                Fmt.Bytes(s.CapBytes),
                Fmt.Bytes(s.OptimalPeakBytes),
                Fmt.Overhead(s.OptimalStepSeconds, baseStep),
                s.UniformName is { } uniform ? Markup.Escape(uniform) : "[grey]none fits[/]",
                s.UniformStepSeconds is { } u ? Fmt.Overhead(u, baseStep) : "");
        return table;
    }
}
