using System.Text;
using System.Text.Json;
using AutoCkpt.Formats.Bench;

namespace AutoCkpt.Bench.Report;

/// <summary>
/// The bench's JSON: an array with one object per strategy. The keys <c>strategy</c>, <c>fits_cap</c>,
/// <c>predicted_peak_bytes</c>, <c>measured_peak_bytes</c>, <c>median_step_seconds</c> and <c>max_grad_rel_diff</c>
/// are fixed; the others (segments, overheads, the run's setting) may grow.
/// </summary>
public static class BenchJson
{
    /// <summary>The report's rows as indented JSON text.</summary>
    public static string Rows(BenchReport report)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var row in report.Rows)
                WriteRow(w, report, row);
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteRow(Utf8JsonWriter w, BenchReport report, BenchRow row)
    {
        w.WriteStartObject();
        w.WriteString("strategy", row.Strategy);
        w.WriteBoolean("fits_cap", row.FitsCap);
        w.WriteNumber("predicted_peak_bytes", row.PredictedPeakBytes);
        w.WriteNumber("measured_peak_bytes", row.MeasuredPeakBytes);
        w.WriteNumber("median_step_seconds", row.MedianStepSeconds);
        // JSON has no infinity: a non-finite difference (a NaN or an infinity in a gradient) is the string "Infinity",
        // which System.Text.Json reads back as a double with JsonNumberHandling.AllowNamedFloatingPointLiterals.
        if (double.IsFinite(row.MaxGradRelDiff)) w.WriteNumber("max_grad_rel_diff", row.MaxGradRelDiff);
        else w.WriteString("max_grad_rel_diff", "Infinity");
        w.WriteNumber("predicted_step_seconds", row.PredictedStepSeconds);
        w.WriteNumber("overhead", row.Overhead);
        w.WriteNumber("predicted_overhead", row.PredictedOverhead);
        w.WriteNumber("peak_error", row.PeakError);
        w.WriteNumber("recomputed_stages", row.RecomputedStages);
        w.WriteNumber("tidy_stages", row.TidyStages);
        foreach (var (strategy, stages) in row.VariantStages) w.WriteNumber($"{strategy.Name}_stages", stages);
        w.WriteString("segments", BenchMeasurementFile.FormatSegments(row.Segments, row.Tidy));
        w.WriteStartArray("step_seconds");
        foreach (double s in row.StepSeconds) w.WriteNumberValue(s);
        w.WriteEndArray();
        w.WriteNumber("cap_bytes", report.CapBytes);
        w.WriteString("target", report.Target);
        w.WriteString("device", report.Device.Type);
        w.WriteNumber("batch_size", report.BatchSize);
        w.WriteNumber("steps", report.Steps);
        w.WriteEndObject();
    }
}
