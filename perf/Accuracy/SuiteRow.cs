namespace AutoCkpt.Perf.Accuracy;

/// <summary>One strategy of one bench: a model at one cap.</summary>
/// <param name="Model">The target.</param>
/// <param name="BatchSize">The batch it ran at.</param>
/// <param name="CapFraction">Where the cap lies between the every_stage peak (0) and the no-recompute (tidy) peak (1).</param>
/// <param name="CapBytes">The plan's cap.</param>
/// <param name="Strategy">none, tidy, every_stage, uniform_k or plan.</param>
/// <param name="Segments">The strategy's segments, as the bench writes them.</param>
/// <param name="PredictedBytes">The cost model's peak.</param>
/// <param name="MeasuredBytes">The bench's measured peak.</param>
/// <param name="FitsCap">Whether the measured peak is at or under the cap.</param>
/// <param name="GradDiff">max |g − g_none| / max |g_none| over the parameters.</param>
/// <param name="PredictedOverhead">Predicted step time over none's, less 1.</param>
/// <param name="MeasuredOverhead">Measured median step time over none's, less 1.</param>
public sealed record SuiteRow(
    string Model, int BatchSize, double CapFraction, long CapBytes, string Strategy, string Segments,
    long PredictedBytes, long MeasuredBytes, bool FitsCap, double GradDiff, double PredictedOverhead, double MeasuredOverhead)
{
    /// <summary>The target: at most this much over the prediction.</summary>
    public const double MaxOver = 0.01;

    /// <summary>The target: at most this much under the prediction.</summary>
    public const double MaxUnder = 0.03;

    /// <summary>Beyond this either way a row is a defect whose cause must be written down.</summary>
    public const double Defect = 0.05;

    /// <summary>(measured − predicted) / predicted.</summary>
    public double Error => (double)(MeasuredBytes - PredictedBytes) / PredictedBytes;

    /// <summary>Within the target: at most 1% over and 3% under.</summary>
    public bool OnTarget => Error <= MaxOver && Error >= -MaxUnder;

    /// <summary>More than 5% off either way.</summary>
    public bool IsDefect => Math.Abs(Error) > Defect;

    /// <summary>
    /// The step time's error as a ratio to none's within the bench: predicted (1 + overhead) over measured, less 1
    /// (docs/cost-model.md, "Step time"). A timing, so noisy on a loaded machine: reported, never asserted in tests.
    /// </summary>
    public double StepTimeError => (1 + PredictedOverhead) / (1 + MeasuredOverhead) - 1;

    /// <summary>The step-time target: predicted within 5% of measured, relative to none.</summary>
    public const double MaxStepTimeError = 0.05;

    /// <summary>Whether the strategy's step time is within <see cref="MaxStepTimeError"/> of its prediction.</summary>
    public bool StepTimeOnTarget => Math.Abs(StepTimeError) <= MaxStepTimeError;

    /// <summary>Whether the strategy has to fit the cap: the plan and the uniform segmentation chosen to fit it.</summary>
    public bool MustFit => Strategy == "plan" || Strategy.StartsWith("uniform_", StringComparison.Ordinal);
}
