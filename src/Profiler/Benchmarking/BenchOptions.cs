namespace AutoCkpt.Profiler.Benchmarking;

/// <summary>How the bench runs: samples per step, timed steps and warm-up steps per strategy.</summary>
/// <param name="BatchSize">Samples per step.</param>
/// <param name="Steps">Timed steps per strategy, interleaved round-robin across strategies.</param>
/// <param name="Warmups">Untimed steps per strategy before the timed ones.</param>
/// <param name="Trace">Whether to sample memory over one extra step per strategy (for the picture).</param>
public sealed record BenchOptions(int BatchSize, int Steps = 10, int Warmups = 1, bool Trace = true)
{
    /// <summary>
    /// Unit path patterns that override the target's (<see cref="ICheckpointTarget.Units"/>) when plans are applied:
    /// <c>autockpt bench --units</c>. Empty (the default): the target's.
    /// </summary>
    public IReadOnlyList<string> Units { get; init; } = [];

    /// <summary>Where <see cref="Units"/> came from, named in pattern errors (ACKPT100, ACKPT101).</summary>
    public string UnitsOrigin { get; init; } = "--units";
}

/// <summary>Where a bench run is: phase ("gradients", "warm-up round", "timed round", "trace"), round and strategy.</summary>
public sealed record BenchStep(string Phase, int Index, int Count, string Strategy);
