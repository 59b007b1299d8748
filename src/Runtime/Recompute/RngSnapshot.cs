using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Recompute;

/// <summary>
/// The random state a segment's forward started from, so that its recompute draws the same numbers (dropout
/// masks). CPU: the generator's full state. CUDA: the default generator's state too (<see cref="CudaRngState"/>), so
/// that both random streams are the same as without checkpointing, as in PyTorch's checkpoint. Where the CUDA state
/// cannot be reached, the segment is seeded with its own seed before the forward and again before the recompute
/// (facts §5): the masks then match between forward and recompute, but the CUDA stream differs from an unwrapped run.
/// </summary>
internal sealed class RngSnapshot : IDisposable
{
    private readonly Tensor _cpuState;
    private readonly Device? _cudaDevice;
    private readonly Tensor? _cudaState;
    private readonly long? _cudaSeed;

    private RngSnapshot(Tensor cpuState, Device? cudaDevice, Tensor? cudaState, long? cudaSeed)
    {
        _cpuState = cpuState;
        _cudaDevice = cudaDevice;
        _cudaState = cudaState;
        _cudaSeed = cudaSeed;
    }

    /// <summary>
    /// Captures the CPU state and, for a CUDA input, the CUDA generator's state; where that cannot be read, seeds the
    /// CUDA generator with <paramref name="cudaSeed"/> instead.
    /// </summary>
    public static RngSnapshot Capture(Device device, Func<long> cudaSeed)
    {
        var now = CaptureNow(device);
        if (device.type != DeviceType.CUDA || now._cudaState is not null) return now;
        long seed = cudaSeed();
        torch.cuda.manual_seed(seed);
        return new RngSnapshot(now._cpuState, device, null, seed);
    }

    /// <summary>Captures the state now, to put back after a recompute (the CUDA part only where it can be read).</summary>
    public static RngSnapshot CaptureNow(Device device)
    {
        var cpu = torch.get_rng_state().DetachFromDisposeScope();
        var cuda = device.type == DeviceType.CUDA ? CudaRngState.TryGet(device) : null;
        return new RngSnapshot(cpu, cuda is null ? null : device, cuda, null);
    }

    /// <summary>Puts the generators back where the capture found them.</summary>
    public void Restore()
    {
        torch.set_rng_state(_cpuState);
        if (_cudaState is not null) CudaRngState.Set(_cudaDevice!, _cudaState);
        else if (_cudaSeed is { } seed) torch.cuda.manual_seed(seed);
    }

    public void Dispose()
    {
        _cpuState.Dispose();
        _cudaState?.Dispose();
    }
}
