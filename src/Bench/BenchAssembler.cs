using AutoCkpt.Bench.Report;
using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner;
using AutoCkpt.Planner.CostModel;

namespace AutoCkpt.Bench;

/// <summary>Joins what the bench measured with what the cost model predicts for the same segments.</summary>
public static class BenchAssembler
{
    /// <summary>
    /// One row per measured strategy, with predictions from <paramref name="costModel"/>, overheads against the
    /// "none" row, and fits-cap against <paramref name="capBytes"/>; one memory trace per row; and, from the plan's
    /// <paramref name="sweep"/>, the predicted overheads of the optimal plan and of the best baseline at each cap.
    /// </summary>
    public static BenchReport Assemble(BenchMeasurement measured, StepCostModel costModel, long capBytes, IReadOnlyList<SweepPoint>? sweep = null) =>
        Assemble(measured, _ => costModel, costModel, capBytes, sweep);

    /// <summary>
    /// As the other overload, each row predicted with the cost model of what it ran: the plain <paramref name="profile"/>
    /// for rows with no tidy unit, the profile with the row's tidy stages' tidy figures otherwise (<see cref="TidyCosts"/>);
    /// the sweep with <paramref name="sweepModel"/> (the plan's tidy model, <see cref="BenchStrategies.TidyModel"/>).
    /// </summary>
    public static BenchReport Assemble(BenchMeasurement measured, Profile profile, StepCostModel sweepModel, long capBytes, IReadOnlyList<SweepPoint>? sweep = null)
    {
        var plain = new StepCostModel(profile);
        return Assemble(measured, m => m.Tidy.Any(t => t) ? new StepCostModel(TidyCosts.Apply(profile, [.. Enumerable.Range(0, profile.Stages.Count).Select(i => i < m.Tidy.Count && m.Tidy[i])])) : plain,
            sweepModel, capBytes, sweep);
    }

    private static BenchReport Assemble(BenchMeasurement measured, Func<StrategyMeasurement, StepCostModel> modelFor, StepCostModel sweepModel, long capBytes, IReadOnlyList<SweepPoint>? sweep)
    {
        var none = measured.Strategies.FirstOrDefault(s => s.Name == "none")
            ?? throw new AckptException(ErrorCodes.BenchFailed, "the bench did not measure 'none', which overheads are measured against.");
        var predictedNone = modelFor(none).Predict(none.Segments);
        var rows = new List<BenchRow>();
        var traces = new List<MemoryTrace>();
        foreach (var m in measured.Strategies)
        {
            var costModel = modelFor(m);
            var predicted = costModel.Predict(m.Segments);
            rows.Add(new BenchRow(m.Name, m.Segments, m.PeakBytes <= capBytes, predicted.PeakBytes, m.PeakBytes,
                predicted.StepSeconds, m.MedianStepSeconds, m.MaxGradRelDiff)
            {
                Overhead = m.MedianStepSeconds / none.MedianStepSeconds - 1,
                PredictedOverhead = predicted.StepSeconds / predictedNone.StepSeconds - 1,
                StepSeconds = m.StepSeconds,
                Tidy = m.Tidy,
            });
            var series = costModel.Series(m.Segments).Select(p => new MemorySample(p.Seconds, p.Bytes)).ToList();
            traces.Add(new MemoryTrace(m.Name, m.Trace, series));
        }
        return new BenchReport(measured.Target, measured.Device, measured.BatchSize, capBytes, measured.Steps, rows, traces)
        {
            Sweep = (sweep ?? []).Select(p => SweepRow(p, sweepModel, predictedNone.StepSeconds)).ToList(),
        };
    }

    private static SweepRow SweepRow(SweepPoint point, StepCostModel costModel, double noneSeconds)
    {
        int n = costModel.Stages;
        var candidates = Baselines.Standard(n).Select(b => (b.Name, Prediction: costModel.Predict(b.Segments))).ToList();
        if (Baselines.BestUniform(costModel, point.CapBytes) is { } uniform) candidates.Add((uniform.Name, uniform.Prediction));
        var best = candidates.Where(c => c.Prediction.PeakBytes <= point.CapBytes).OrderBy(c => c.Prediction.StepSeconds).FirstOrDefault();
        return new SweepRow(point.CapBytes, point.OptimalStepSeconds / noneSeconds - 1, best.Name,
            best.Name is null ? null : best.Prediction.StepSeconds / noneSeconds - 1);
    }
}
