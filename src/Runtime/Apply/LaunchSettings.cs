using System.Runtime.InteropServices;
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
/// plan's cap. libtorch reads the setting once, before its first CUDA allocation: <see cref="UseProfiledAllocator"/> sets
/// it when called first in an app, and <c>Apply</c>, which comes too late to set it, warns (ACKPT012) where it is not in
/// effect. The CPU needs nothing: glibc's mmap threshold changes where freed memory goes, not the bytes the tensors
/// hold, which is what the plan counts.
/// </summary>
internal static class LaunchSettings
{
    private const string AllocatorVariable = "PYTORCH_CUDA_ALLOC_CONF";

    /// <summary>
    /// Sets <c>PYTORCH_CUDA_ALLOC_CONF=backend:cudaMallocAsync</c> for this process (its native environment, which
    /// libtorch reads, and .NET's) unless it is set already; true when the profiled allocator is then in effect. Has no
    /// effect on a libtorch that has already made a CUDA allocation. Linux only (false elsewhere, where nothing is set).
    /// </summary>
    public static bool UseProfiledAllocator()
    {
        string? conf = Environment.GetEnvironmentVariable(AllocatorVariable);
        if (!string.IsNullOrEmpty(conf)) return CudaMemoryProbe.UsesAsyncAllocator(conf);
        if (!OperatingSystem.IsLinux()) return false;
        if (setenv(AllocatorVariable, CudaMemoryProbe.PoolAllocatorConf, 1) != 0) return false;
        Environment.SetEnvironmentVariable(AllocatorVariable, CudaMemoryProbe.PoolAllocatorConf);
        return true;
    }

    /// <summary>
    /// Warning ACKPT012 when <paramref name="plan"/> has a cap, <paramref name="model"/> is on a CUDA device and the
    /// process's <c>PYTORCH_CUDA_ALLOC_CONF</c> does not select the allocator the profile was measured under; else null.
    /// </summary>
    public static string? Warning(nn.Module model, Plan plan, string? planFile) =>
        Warning(model.parameters().FirstOrDefault()?.device_type, Environment.GetEnvironmentVariable(AllocatorVariable), plan, planFile);

    /// <summary>The same for a model on <paramref name="device"/> (null: no parameters) under allocator setting <paramref name="conf"/>.</summary>
    public static string? Warning(DeviceType? device, string? conf, Plan plan, string? planFile)
    {
        if (plan.MemoryCapBytes <= 0 || device != DeviceType.CUDA || CudaMemoryProbe.UsesAsyncAllocator(conf)) return null;
        string message = $"this process runs libtorch's CUDA caching allocator ({AllocatorVariable} {(string.IsNullOrEmpty(conf) ? "is not set" : $"is '{conf}'")}), " +
            $"but the plan's profile was measured under {CudaMemoryProbe.PoolAllocatorConf}, which holds only what the tensors hold; the caching allocator keeps " +
            "freed blocks reserved, so the device can fill before the plan's cap. Call Checkpointing.UseProfiledAllocator() first in Main, or set " +
            $"{AllocatorVariable}={CudaMemoryProbe.PoolAllocatorConf} where the app is launched (the shell, launchSettings.json, a container's environment).";
        return planFile is null ? $"warning {ErrorCodes.AllocatorDiffers}: {message}" : $"{planFile}: warning {ErrorCodes.AllocatorDiffers}: {message}";
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv(string name, string value, int overwrite);
}
