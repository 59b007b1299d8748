namespace AutoCkpt.Apply;

/// <summary>
/// Seeds for recompute segments on CUDA (facts §5): a SplitMix64 sequence started from the CPU generator's initial
/// seed, so that runs seeded the same way draw the same segment seeds, without consuming CPU random numbers.
/// </summary>
internal sealed class CudaSeeds(long start)
{
    private ulong _state = unchecked((ulong)start);
    private readonly Lock _lock = new();

    public long Next()
    {
        lock (_lock)
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (long)((z ^ (z >> 31)) & long.MaxValue);
        }
    }
}
