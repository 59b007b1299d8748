using System.Globalization;
using System.Text;
using AutoCkpt.Formats.Options;

namespace AutoCkpt.Bench.Report;

/// <summary>The bench's side-by-side table, as Markdown (also what the console prints).</summary>
public static class BenchMarkdown
{
    /// <summary>A heading line, the table, and the plan-against-uniform comparison.</summary>
    public static string Write(BenchReport report)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture,
            $"**{report.Target}** on {report.Device.Type} ({report.Device.Name}), batch {report.BatchSize}, cap {MemoryCap.Format(report.CapBytes)}, {report.Steps} timed steps per strategy\n\n");
        sb.Append("| strategy | recomputed stages | predicted peak | measured peak | error | fits cap | median step | overhead (predicted) | max grad rel diff |\n");
        sb.Append("|---|---|---|---|---|---|---|---|---|\n");
        foreach (var r in report.Rows)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"| {r.Strategy} | {r.RecomputedStages}/{Stages(r)}{string.Concat(r.VariantStages.Select(v => $" ({v.Stages} {v.Strategy.Name.Replace('_', '-')})"))}{(r.TidyStages > 0 ? $", {r.TidyStages} tidy" : "")} | {MemoryCap.Format(r.PredictedPeakBytes)} | {MemoryCap.Format(r.MeasuredPeakBytes)} | {Percent(r.PeakError)} | {(r.FitsCap ? "yes" : "**no**")} | {r.MedianStepSeconds * 1000:0.0} ms | {Percent(r.Overhead)} ({Percent(r.PredictedOverhead)}) | {BenchVerdict.Diff(r.MaxGradRelDiff)} |\n");
        }
        if (Comparison(report) is { } line)
            sb.Append('\n').Append(line).Append('\n');
        if (Peaks(report) is { } peaks)
            sb.Append('\n').Append(peaks).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// The plain model's peak next to the tidy one: "none (the plain model) peaked at X; tidy (no recompute, dead
    /// intermediates freed) at Y, −Z%". Null without both rows.
    /// </summary>
    public static string? Peaks(BenchReport report)
    {
        if (report.Row("none") is not { } none || report.Row("tidy") is not { } tidy) return null;
        double saved = none.MeasuredPeakBytes == 0 ? 0 : (double)(tidy.MeasuredPeakBytes - none.MeasuredPeakBytes) / none.MeasuredPeakBytes;
        return string.Create(CultureInfo.InvariantCulture,
            $"Peaks: none (the plain model, every intermediate handle kept to the end of the step) {MemoryCap.Format(none.MeasuredPeakBytes)}; " +
            $"tidy (no recompute, each kept unit frees the handles it made but its output, as PyTorch does) {MemoryCap.Format(tidy.MeasuredPeakBytes)} ({Percent(saved)}), " +
            $"step {Percent(tidy.Overhead)}{TidyNoise(tidy, none)}. The cap's N% is of none's predicted peak.");
    }

    private static string TidyNoise(BenchRow tidy, BenchRow none) => PairedDifference.Of(tidy.StepSeconds, none.StepSeconds) is not { } d ? "" :
        string.Create(CultureInfo.InvariantCulture,
            $" (per round, tidy's step minus none's: median {Ms(d.MedianSeconds)} ms, 95% interval [{Ms(d.LowSeconds)}, {Ms(d.HighSeconds)}] ms over {d.Rounds} rounds{(d.LowSeconds <= 0 && d.HighSeconds >= 0 ? ": tied within this run's noise" : "")})");

    /// <summary>
    /// "plan overhead +x% vs uniform_k +y%: ratio r", with the per-round difference and its 95% interval
    /// (<see cref="PairedDifference"/>): a plan whose median is slower but whose interval holds 0 is called tied. With
    /// too few steps for the interval (<see cref="PairedDifference.MinRounds"/>) it says so and gives no verdict.
    /// Null without a plan row.
    /// </summary>
    public static string? Comparison(BenchReport report)
    {
        var plan = report.Row("plan");
        var uniform = report.Uniform;
        if (plan is null) return null;
        if (uniform is null && report.Row("tidy") is { } tidy && tidy.PredictedPeakBytes <= report.CapBytes)
            return "Tidy (no recompute) already fits the cap, so no uniform segmentation is compared; the plan recomputes " +
                   $"{plan.RecomputedStages} stages (overhead {Percent(plan.Overhead)}).";
        if (uniform is null)
            return report.Row("none") is { } none && none.PredictedPeakBytes <= report.CapBytes
                ? "No checkpointing already fits the cap, so no uniform segmentation is compared; the plan recomputes " +
                  $"{plan.RecomputedStages} stages (overhead {Percent(plan.Overhead)})."
                : "No uniform segmentation fits the cap; the plan is the only checkpointing strategy that does.";
        var paired = PairedDifference.Of(plan.StepSeconds, uniform.StepSeconds);
        string tidyNote = uniform.TidyStages > 0 ? " (tidy, as checkpoint_sequential in PyTorch)" : "";
        if (paired is null)
            // No interval, no verdict: a median of a few steps on a loaded machine can read either way.
            return string.Create(CultureInfo.InvariantCulture,
                $"The plan is not compared with {uniform.Strategy}{tidyNote}: {Math.Min(plan.StepSeconds.Count, uniform.StepSeconds.Count)} steps per strategy are too few for a {PairedDifference.Level:0%} interval of the per-round difference (it needs at least {PairedDifference.MinRounds}; run with --steps {PairedDifference.MinRounds} or more, 10 by default). Measured overheads, which this run cannot tell apart: {Percent(plan.Overhead)} against {Percent(uniform.Overhead)}.");
        string ratio = uniform.Overhead > 0 ? (plan.Overhead / uniform.Overhead).ToString("0.00", CultureInfo.InvariantCulture) : "n/a";
        string verdict = plan.MedianStepSeconds <= uniform.MedianStepSeconds ? "not slower than"
            : paired is { FirstSlower: false } ? "tied, within this run's noise, with"
            : "**slower than**";
        string noise = string.Create(CultureInfo.InvariantCulture,
            $" Per round, the plan's step minus {uniform.Strategy}'s: median {Ms(paired.MedianSeconds)} ms, 95% interval [{Ms(paired.LowSeconds)}, {Ms(paired.HighSeconds)}] ms over {paired.Rounds} rounds.");
        return string.Create(CultureInfo.InvariantCulture,
            $"The plan is {verdict} {uniform.Strategy}{tidyNote}: overhead {Percent(plan.Overhead)} against {Percent(uniform.Overhead)} (ratio of overheads {ratio}).{noise}");
    }

    /// <summary>Seconds as signed milliseconds, "+1.5" or "-0.3", and "0.0" for what rounds to zero (never "-+0.0").</summary>
    private static string Ms(double seconds)
    {
        double ms = Math.Round(seconds * 1000, 1) + 0.0;
        return ms.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture);
    }

    private static int Stages(BenchRow r) => r.Segments.Count == 0 ? 0 : r.Segments[^1].Last + 1;

    private static string Percent(double fraction) =>
        (fraction >= 0 ? "+" : "") + (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
