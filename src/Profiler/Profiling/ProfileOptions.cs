namespace AutoCkpt.Profiler.Profiling;

/// <summary>How to profile.</summary>
/// <param name="BatchSize">Samples per batch, ≥ 1.</param>
/// <param name="Repeats">Measured passes per stage and measured whole steps, ≥ 1; figures are their medians.</param>
/// <param name="Warmups">Unmeasured passes per stage before the measured ones, ≥ 0.</param>
public sealed record ProfileOptions(int BatchSize, int Repeats = 5, int Warmups = 1)
{
    /// <summary>
    /// Unit path patterns that override the target's (<see cref="ICheckpointTarget.Units"/>): <c>autockpt profile
    /// --units</c>, the MSBuild property <c>AutoCkptUnits</c>. Empty (the default): the target's.
    /// </summary>
    public IReadOnlyList<string> Units { get; init; } = [];

    /// <summary>Where <see cref="Units"/> came from, named in pattern errors (ACKPT100, ACKPT101).</summary>
    public string UnitsOrigin { get; init; } = "--units";
}

/// <summary>Where profiling is, for progress displays.</summary>
/// <param name="Phase">"warm-up", "stage" or "check".</param>
/// <param name="Index">The stage index in the "stage" phase, else 0.</param>
/// <param name="Count">The number of stages.</param>
/// <param name="Stage">The stage's name in the "stage" phase, else null.</param>
public sealed record ProfilerStep(string Phase, int Index, int Count, string? Stage);
