using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Memory;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Apply;

/// <summary>
/// What the process a plan runs in must share with the one its profile was measured in (docs/runtime.md, "Launch
/// settings"). On CUDA: the allocator. <c>autockpt profile</c> and <c>bench</c> run libtorch with
/// <c>PYTORCH_CUDA_ALLOC_CONF=backend:cudaMallocAsync</c>, whose pool holds what the tensors hold; the default caching
/// allocator also keeps freed blocks reserved and splits them, so the device can fill before the tensors reach the
/// plan's cap. libtorch reads the setting once, before its first CUDA allocation, so the runtime cannot apply it when a
/// model already on the device is given to it: it warns (ACKPT012). The CPU needs nothing: glibc's mmap threshold changes
/// where freed memory goes, not the bytes the tensors hold, which is what the plan counts.
/// </summary>
internal static class LaunchSettings
{
    /// <summary>
    /// Warning ACKPT012 when <paramref name="plan"/> has a cap, <paramref name="model"/> is on a CUDA device and the
    /// process's <c>PYTORCH_CUDA_ALLOC_CONF</c> does not select the allocator the profile was measured under; else null.
    /// </summary>
    public static string? Warning(nn.Module model, Plan plan, string? planFile)
    {
        if (plan.MemoryCapBytes <= 0) return null;
        var device = model.parameters().FirstOrDefault()?.device_type;
        if (device != DeviceType.CUDA) return null;
        string? conf = Environment.GetEnvironmentVariable("PYTORCH_CUDA_ALLOC_CONF");
        if (CudaMemoryProbe.UsesAsyncAllocator(conf)) return null;
        string message = $"this process runs libtorch's CUDA caching allocator (PYTORCH_CUDA_ALLOC_CONF={(string.IsNullOrEmpty(conf) ? "unset" : conf)}), " +
            $"but the plan's profile was measured under {CudaMemoryProbe.PoolAllocatorConf}, which holds only what the tensors hold; the caching allocator keeps " +
            "freed blocks reserved, so the device can fill before the plan's cap. Set PYTORCH_CUDA_ALLOC_CONF=backend:cudaMallocAsync where the app is launched " +
            "(before its first CUDA call: the shell, launchSettings.json, a container's environment).";
        return planFile is null ? $"warning {ErrorCodes.AllocatorDiffers}: {message}" : $"{planFile}: warning {ErrorCodes.AllocatorDiffers}: {message}";
    }
}
