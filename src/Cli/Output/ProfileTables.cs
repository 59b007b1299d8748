using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner;
using AutoCkpt.Planner.CostModel;
using Spectre.Console;

namespace AutoCkpt.Cli.Output;

/// <summary>Prints a profile: fixed memory, each stage's figures, and the predicted peaks of the baselines.</summary>
internal static class ProfileTables
{
    public static void Render(IAnsiConsole console, AutoCkpt.Formats.Profiles.Profile p, StepCostModel model)
    {
        console.MarkupLine($"[bold]Profile of {Markup.Escape(p.Target)}[/]: {p.Stages.Count} stages, batch {p.BatchSize}, {Markup.Escape(p.Dtype)}, {Markup.Escape(p.Device.Type)} {Markup.Escape(p.Device.Name)}");
        var f = p.FixedBytes;
        console.MarkupLine($"fixed memory {Fmt.Bytes(f.Total)}: parameters {Fmt.Bytes(f.Parameters)}, gradients {Fmt.Bytes(f.Gradients)}, optimizer state {Fmt.Bytes(f.OptimizerState)}, batch {Fmt.Bytes(f.Batch)}");
        var table = new Table().Title("stages").AddColumns("#", "name", "forward", "backward", "output", "retained", "input freed", "fwd transient", "bwd transient", "bwd freed");
        for (int i = 0; i < p.Stages.Count; i++)
        {
            var s = p.Stages[i];
            table.AddRow(i.ToString(), Markup.Escape(s.Name), Fmt.Ms(s.ForwardSeconds), Fmt.Ms(s.BackwardSeconds), Fmt.Bytes(s.OutputBytes), Fmt.Bytes(s.RetainedBytes),
                Fmt.Bytes(s.InputFreedBytes), Fmt.Bytes(s.ForwardTransientBytes), Fmt.Bytes(s.BackwardTransientBytes), Fmt.Bytes(s.BackwardFreedBytes));
        }
        console.Write(table);
        var baselines = new Table().Title("predicted by the cost model").AddColumns("strategy", "peak", "step", "overhead");
        foreach (var (name, segments) in Baselines.Standard(p.Stages.Count).Where(b => b.Name is "none" or "every_stage" or "sqrt_n" || b.Name == "uniform_2"))
        {
            var pr = model.Predict(segments);
            baselines.AddRow(name, Fmt.Bytes(pr.PeakBytes), Fmt.Ms(pr.StepSeconds), Fmt.Overhead(pr.StepSeconds, model.BaseStepSeconds));
        }
        console.Write(baselines);
        if (p.Check is { } c)
            console.MarkupLine($"self-check: forward retained measured {Fmt.Bytes(c.ForwardRetainedBytesMeasured)} (stages: retained − input freed = {Fmt.Bytes(p.Stages.Sum(s => s.RetainedBytes - s.InputFreedBytes))}), step measured {Fmt.Ms(c.StepSecondsMeasured)} (model {Fmt.Ms(model.BaseStepSeconds)})");
    }
}
