using System.Globalization;
using System.Text;

namespace AutoCkpt.Perf.Accuracy;

/// <summary>The suite's table and summary in Markdown, and their place in docs/benchmarks.md.</summary>
public static class SuiteTable
{
    /// <summary>Opens the part of docs/benchmarks.md that the suite writes.</summary>
    public const string Begin = "<!-- accuracy-suite:begin (written by perf/Accuracy; do not edit by hand) -->";

    /// <summary>Closes it.</summary>
    public const string End = "<!-- accuracy-suite:end -->";

    /// <summary>The summary, then one row per model, cap and strategy.</summary>
    public static string Markdown(SuiteResult result, string header)
    {
        var rows = result.Rows;
        var sb = new StringBuilder();
        sb.Append(header).Append("\n\n");
        int onTarget = rows.Count(r => r.OnTarget);
        var off = rows.Where(r => !r.OnTarget && !r.IsDefect).ToList();
        var defects = rows.Where(r => r.IsDefect).ToList();
        var overCap = rows.Where(r => r.MustFit && !r.FitsCap).ToList();
        sb.Append(Inv($"- **{rows.Count} rows** ({rows.Select(r => r.Model).Distinct().Count()} models, {rows.Select(r => (r.Model, r.CapFraction)).Distinct().Count()} benches): "))
          .Append(Inv($"{onTarget} within the target (at most 1% over, 3% under its prediction)"));
        if (rows.Count > 0)
            sb.Append(Inv($"; errors from {Pct(rows.Min(r => r.Error))} to {Pct(rows.Max(r => r.Error))}"));
        sb.Append(".\n");
        sb.Append("- Outside the target but within 5%: ").Append(off.Count == 0 ? "none" : string.Join("; ", off.Select(Name))).Append(".\n");
        sb.Append("- **Defects (over 5% either way): ").Append(defects.Count == 0 ? "none" : string.Join("; ", defects.Select(Name))).Append("**.\n");
        sb.Append("- Plans and uniform segmentations over their cap: ").Append(overCap.Count == 0 ? "none" : string.Join("; ", overCap.Select(Name))).Append(".\n");
        sb.Append(Inv($"- Gradients: largest max grad rel diff over every strategy {(rows.Count == 0 ? 0 : rows.Max(r => r.GradDiff)):G3} (the CPU must give 0).\n"));
        var recomputing = rows.Where(r => r.Strategy is not ("none" or "tidy")).ToList();
        if (recomputing.Count > 0)
        {
            var worst = recomputing.MaxBy(r => Math.Abs(r.MeasuredOverhead - r.PredictedOverhead))!;
            double mean = recomputing.Average(r => r.MeasuredOverhead - r.PredictedOverhead);
            sb.Append(Inv($"- Step time, measured overhead over none against predicted (strategies that recompute): mean gap {Points(mean)}, "))
              .Append(Inv($"largest {Points(worst.MeasuredOverhead - worst.PredictedOverhead)} ({worst.Model} {worst.CapFraction * 100:F0}% {worst.Strategy}).\n"));
            var worstStep = recomputing.MaxBy(r => Math.Abs(r.StepTimeError))!;
            sb.Append(Inv($"- Step time, predicted over measured relative to none: {recomputing.Count(r => r.StepTimeOnTarget)} of {recomputing.Count} recomputing rows within {SuiteRow.MaxStepTimeError * 100:F0}%; "))
              .Append(Inv($"median error {Pct(Median(recomputing.Select(r => r.StepTimeError)))}, largest {Pct(worstStep.StepTimeError)} ({worstStep.Model} {worstStep.CapFraction * 100:F0}% {worstStep.Strategy}).\n"));
        }
        if (result.Verifications.Count > 0)
        {
            var corrected = result.Verifications.Where(v => v.Corrected).ToList();
            sb.Append(Inv($"- **`plan --verify`: {corrected.Count} of {result.Verifications.Count} plans corrected**"))
              .Append(corrected.Count == 0 ? "" : " (" + string.Join("; ", corrected.Select(v =>
                  Inv($"{v.Model} {v.CapFraction * 100:F0}%: {v.Rounds} rounds, budget {Mib(v.CorrectionBytes)} tighter"))) + ")")
              .Append(Inv($"; every verified plan measured at or under its cap: {(result.Verifications.All(v => v.MeasuredPeakBytes <= v.CapBytes) ? "yes" : "no")}.\n"));
        }
        foreach (var f in result.Failures)
            sb.Append("- Not measured or failed: ").Append(f).Append('\n');
        sb.Append('\n');
        sb.Append("| model | batch | cap | strategy | segments | predicted | measured | error | fits cap | overhead: measured (predicted) | step time error | grad diff |\n");
        sb.Append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        foreach (var r in rows)
        {
            string error = r.IsDefect ? $"**{Pct(r.Error)}**" : r.OnTarget ? Pct(r.Error) : $"*{Pct(r.Error)}*";
            sb.Append(Inv($"| {r.Model} | {r.BatchSize} | {(r.CapBytes == 0 ? "—" : Inv($"{r.CapFraction * 100:F0}%: {Mib(r.CapBytes)}"))} | {r.Strategy} | `{Short(r.Segments)}` | {Mib(r.PredictedBytes)} | {Mib(r.MeasuredBytes)} | {error} | "))
              .Append(r.FitsCap ? "yes" : "no").Append(Inv($" | {Pct(r.MeasuredOverhead)} ({Pct(r.PredictedOverhead)}) | {Pct(r.StepTimeError)} | {r.GradDiff:G3} |\n"));
        }
        return sb.ToString();
    }

    /// <summary>
    /// <paramref name="doc"/> with the text between <see cref="Begin"/> and <see cref="End"/> replaced by
    /// <paramref name="block"/>. Throws when the markers are missing.
    /// </summary>
    public static string Splice(string doc, string block)
    {
        int b = doc.IndexOf(Begin, StringComparison.Ordinal), e = doc.IndexOf(End, StringComparison.Ordinal);
        if (b < 0 || e < b)
            throw new InvalidOperationException($"the document has no '{Begin}' ... '{End}' block to write the table into.");
        return doc[..(b + Begin.Length)] + "\n" + block.TrimEnd('\n') + "\n" + doc[e..];
    }

    private static string Name(SuiteRow r) => Inv($"{r.Model} {r.CapFraction * 100:F0}% {r.Strategy} {Pct(r.Error)}{(r.MustFit && !r.FitsCap ? " over its cap" : "")}");

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Short(string segments) => segments.Length <= 60 ? segments : segments[..57] + "...";

    private static string Pct(double x) => Inv($"{(x >= 0 ? "+" : "−")}{Math.Abs(x) * 100:F1}%");

    private static string Points(double x) => Inv($"{(x >= 0 ? "+" : "−")}{Math.Abs(x) * 100:F1} points");

    private static string Mib(long bytes) => Inv($"{bytes / 1048576.0:F2} MiB");

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
