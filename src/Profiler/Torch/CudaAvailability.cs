using System.Runtime.InteropServices;
using AutoCkpt.Formats.Errors;
using TorchSharp;

namespace AutoCkpt.Profiler.Torch;

/// <summary>Says why CUDA cannot be used in this process, if it cannot.</summary>
public static class CudaAvailability
{
    /// <summary>Throws <see cref="AckptException"/> (ACKPT027) with the first reason CUDA is unavailable; returns when it is available.</summary>
    public static void ThrowIfUnavailable()
    {
        string? why = Reason();
        if (why is not null)
            throw new AckptException(ErrorCodes.CudaUnavailable, $"CUDA was asked for but is not available: {why}");
    }

    /// <summary>Why CUDA is unavailable, or null when it is available.</summary>
    public static string? Reason()
    {
        bool driver = NativeLibrary.TryLoad("libcuda.so.1", out _);
        bool cudaTorch;
        try
        {
            cudaTorch = torch.TryInitializeDeviceType(DeviceType.CUDA);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            cudaTorch = false;
        }
        if (!cudaTorch && !driver)
            return "this app's libtorch has no CUDA support (e.g. libtorch-cpu) and there is no NVIDIA driver (libcuda.so.1 not found). " +
                   "On a GPU machine, build the app with -p:AutoCkptTorchBackend=cuda or =system (see the README).";
        if (!cudaTorch)
            return "this app's libtorch has no CUDA support (it was built against a CPU-only libtorch such as libtorch-cpu-linux-x64). " +
                   "Build it with -p:AutoCkptTorchBackend=cuda, or =system with an existing PyTorch's torch/lib on LD_LIBRARY_PATH.";
        if (!driver)
            return "libtorch has CUDA support but the NVIDIA driver (libcuda.so.1) cannot be loaded.";
        if (!torch.cuda.is_available() || torch.cuda.device_count() == 0)
            return "libtorch and the NVIDIA driver load, but no GPU is visible (check nvidia-smi and CUDA_VISIBLE_DEVICES).";
        return null;
    }
}
