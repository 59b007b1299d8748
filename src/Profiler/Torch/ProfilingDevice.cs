using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Memory;
using TorchSharp;

namespace AutoCkpt.Profiler.Torch;

/// <summary>A device ready to measure on: the torch device, its memory probe, how to synchronise it, its name.</summary>
public sealed class ProfilingDevice
{
    private ProfilingDevice(torch.Device device, IMemoryProbe probe, Action synchronize, DeviceInfo info)
    {
        Device = device;
        Probe = probe;
        Synchronize = synchronize;
        Info = info;
    }

    /// <summary>The torch device.</summary>
    public torch.Device Device { get; }

    /// <summary>The device's memory probe.</summary>
    public IMemoryProbe Probe { get; }

    /// <summary>Waits for queued device work (a no-op on the CPU).</summary>
    public Action Synchronize { get; }

    /// <summary>Type and name, as profiles record them.</summary>
    public DeviceInfo Info { get; }

    /// <summary>
    /// Opens "cpu" or "cuda" (device 0). Throws <see cref="AckptException"/>: ACKPT080 for another type, ACKPT027
    /// when CUDA is asked for but unavailable, saying why (no CUDA build of libtorch, no driver, no GPU, no pool).
    /// </summary>
    public static ProfilingDevice Open(string type)
    {
        switch (type)
        {
            case "cpu":
                return new ProfilingDevice(torch.CPU, new CpuMemoryProbe(), () => { }, new DeviceInfo("cpu", CpuName()));
            case "cuda":
                CudaAvailability.ThrowIfUnavailable();
                var device = torch.CUDA;
                var probe = new CudaMemoryProbe(0);
                return new ProfilingDevice(device, probe, () => torch.cuda.synchronize(device), new DeviceInfo("cuda", probe.DeviceName));
            default:
                throw new AckptException(ErrorCodes.BadArgument, $"unknown device '{type}': use cpu or cuda.");
        }
    }

    /// <summary>"&lt;model name&gt; (N cores)" from /proc/cpuinfo, or "cpu" when it cannot be read.</summary>
    public static string CpuName()
    {
        try
        {
            string? model = File.ReadLines("/proc/cpuinfo")
                .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?
                .Split(':', 2)[1].Trim();
            return $"{model ?? "cpu"} ({Environment.ProcessorCount} cores)";
        }
        catch (IOException)
        {
            return $"cpu ({Environment.ProcessorCount} cores)";
        }
    }
}
