namespace AutoCkpt.Profiler.Benchmarking;

/// <summary>How the bench runs: samples per step, timed steps and warm-up steps per strategy.</summary>
/// <param name="BatchSize">Samples per step.</param>
/// <param name="Steps">Timed steps per strategy, interleaved round-robin across strategies.</param>
/// <param name="Warmups">Untimed steps per strategy before the timed ones.</param>
/// <param name="Trace">Whether to sample memory over one extra step per strategy (for the picture).</param>
public sealed record BenchOptions(int BatchSize, int Steps = 10, int Warmups = 1, bool Trace = true);

/// <summary>Where a bench run is: phase ("gradients", "warm-up round", "timed round", "trace"), round and strategy.</summary>
public sealed record BenchStep(string Phase, int Index, int Count, string Strategy);
