using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Checkpoints;

/// <summary>
/// The random state a segment's forward started from, so that its recompute draws the same numbers (dropout
/// masks). CPU: the generator's full state, restored around the recompute, so the CPU random stream is the same as
/// without checkpointing. CUDA has no state API in TorchSharp: the segment is seeded with its own seed before the
/// forward and again before the recompute (facts §5).
/// </summary>
internal sealed class RngSnapshot : IDisposable
{
    private readonly Tensor _cpuState;
    private readonly long? _cudaSeed;

    private RngSnapshot(Tensor cpuState, long? cudaSeed)
    {
        _cpuState = cpuState;
        _cudaSeed = cudaSeed;
    }

    /// <summary>Captures the CPU state and, for a CUDA input, seeds the CUDA generator with <paramref name="cudaSeed"/>.</summary>
    public static RngSnapshot Capture(Device device, Func<long> cudaSeed)
    {
        var cpu = torch.get_rng_state().DetachFromDisposeScope();
        long? seed = null;
        if (device.type == DeviceType.CUDA)
        {
            seed = cudaSeed();
            torch.cuda.manual_seed(seed.Value);
        }
        return new RngSnapshot(cpu, seed);
    }

    /// <summary>Captures only the CPU state, to put back after a recompute.</summary>
    public static RngSnapshot CaptureCpu() => new(torch.get_rng_state().DetachFromDisposeScope(), null);

    /// <summary>Puts the generators back where <see cref="Capture"/> found them.</summary>
    public void Restore()
    {
        torch.set_rng_state(_cpuState);
        if (_cudaSeed is { } seed)
            torch.cuda.manual_seed(seed);
    }

    public void Dispose() => _cpuState.Dispose();
}
