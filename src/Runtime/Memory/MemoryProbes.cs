using AutoCkpt.Formats.Errors;
using TorchSharp;

namespace AutoCkpt.Memory;

/// <summary>Chooses the memory probe for a device.</summary>
public static class MemoryProbes
{
    /// <summary>
    /// A probe for <paramref name="device"/>: <see cref="CpuMemoryProbe"/> for the CPU, <see cref="CudaMemoryProbe"/>
    /// for a CUDA device (index 0 when none is given). Throws <see cref="AckptException"/>: ACKPT027 when the CUDA probe
    /// cannot work here (the message says why), ACKPT080 for any other device type.
    /// </summary>
    public static IMemoryProbe For(torch.Device device) => device.type switch
    {
        DeviceType.CPU => new CpuMemoryProbe(),
        DeviceType.CUDA => new CudaMemoryProbe(Math.Max(0, device.index)),
        _ => throw new AckptException(ErrorCodes.BadArgument, $"no memory probe for device type '{device.type}': use cpu or cuda."),
    };
}
