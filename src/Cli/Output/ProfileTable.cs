using System.Globalization;
using AutoCkpt.Formats.Options;
using Spectre.Console;

namespace AutoCkpt.Cli.Output;

/// <summary>The table `autockpt profile` prints at the end: one row per stage, then fixed memory and the self-check.</summary>
internal static class ProfileTable
{
    /// <summary>Writes the table; <paramref name="seconds"/> is how long profiling took, or null when unknown.</summary>
    public static void Write(IAnsiConsole console, Formats.Profiles.Profile p, string path, double? seconds = null)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"{p.Target} on {p.Device.Type} ({p.Device.Name}), batch {p.BatchSize}, {p.Dtype}"));
        table.AddColumn("#", c => c.RightAligned());
        table.AddColumn("stage");
        foreach (var name in new[] { "fwd ms", "bwd ms", "output", "retained", "input freed", "fwd transient", "bwd transient" })
            table.AddColumn(name, c => c.RightAligned());
        for (int i = 0; i < p.Stages.Count; i++)
        {
            var s = p.Stages[i];
            table.AddRow(i.ToString(CultureInfo.InvariantCulture), Markup.Escape(s.Name), Ms(s.ForwardSeconds), Ms(s.BackwardSeconds),
                Size(s.OutputBytes), Size(s.RetainedBytes), Size(s.InputFreedBytes), Size(s.ForwardTransientBytes), Size(s.BackwardTransientBytes));
        }
        table.AddRow("", "[bold]total[/]", Ms(p.Stages.Sum(s => s.ForwardSeconds)), Ms(p.Stages.Sum(s => s.BackwardSeconds)),
            "", Size(p.Stages.Sum(s => s.RetainedBytes)), Size(p.Stages.Sum(s => s.InputFreedBytes)), "", "");
        console.Write(table);
        var f = p.FixedBytes;
        console.WriteLine($"fixed: parameters {Size(f.Parameters)}, gradients {Size(f.Gradients)}, optimizer state {Size(f.OptimizerState)}, batch {Size(f.Batch)}");
        if (p.Check is { } c)
            console.WriteLine($"check: whole forward retained {Size(c.ForwardRetainedBytesMeasured)} (stages: retained - input freed = {Size(p.Stages.Sum(s => s.RetainedBytes - s.InputFreedBytes))}); " +
                              $"whole step {Ms(c.StepSecondsMeasured)} ms (stages sum {Ms(p.Stages.Sum(s => s.ForwardSeconds + s.BackwardSeconds))} ms)");
        if (seconds is { } t && p.Check is { StepSecondsMeasured: > 0 } step)
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"profiling took {t:0.##} s, the time of {t / step.StepSecondsMeasured:0.#} training steps"));
        console.WriteLine($"wrote {path}");
    }

    private static string Ms(double seconds) => (seconds * 1000).ToString("0.###", CultureInfo.InvariantCulture);

    private static string Size(long bytes) => MemoryCap.Format(bytes);
}
