using AutoCkpt.Formats.Profiles;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// A stage's <c>recompute:</c> figures from its two recompute passes: as a segment's last stage (output and output
/// gradient held through the backward) and as an inner stage (<see cref="RecomputeStagePass"/> with <c>inner</c>: the
/// output's handle disposed and its gradient made inside the backward). The inner pass's readings start from live
/// without the output gradient; the figures count from live with it, as the walk does (docs/cost-model.md, "Inner
/// stages of a multi-unit recompute segment").
/// </summary>
internal static class InnerStageFigures
{
    /// <summary>The figures of <paramref name="recompute"/>, with the inner ones from <paramref name="inner"/> when measured.</summary>
    public static RecomputeFigures Of(StageProfile recompute, StageProfile? inner) =>
        new(recompute.RetainedBytes, recompute.BackwardTransientBytes, recompute.BackwardFreedBytes)
        {
            // The inner pass made the output gradient (O bytes) inside its backward: its peak counts it and its base did not.
            InnerBackwardTransientBytes = inner is null ? null : inner.BackwardTransientBytes - inner.OutputBytes,
            InnerBackwardFreedBytes = inner is null ? null : inner.BackwardFreedBytes + inner.OutputBytes,
        };
}
