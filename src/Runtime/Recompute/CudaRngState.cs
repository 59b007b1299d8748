using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Recompute;

/// <summary>
/// The default CUDA generator's state (its Philox seed and offset), read and written as PyTorch's
/// <c>torch.cuda.get_rng_state</c>/<c>set_rng_state</c> do. TorchSharp 0.107 has no API for it (facts §5), but it
/// exports <c>THSGenerator_get_rng_state</c>/<c>set_rng_state</c>, which take an <c>at::Generator*</c>, and libtorch_cuda
/// exports <c>at::cuda::detail::getDefaultCUDAGenerator(DeviceIndex)</c>, which returns a reference to the device's
/// default generator: the same pointer. Where that symbol cannot be found, or the environment variable
/// <c>AUTOCKPT_CUDA_RNG_STATE=0</c> turns this off, <see cref="Available"/> is false and segments fall back to seeding
/// the generator per segment.
/// </summary>
internal static class CudaRngState
{
    private const string DefaultGeneratorSymbol = "_ZN2at4cuda6detail23getDefaultCUDAGeneratorEa";
    private static readonly Lazy<DefaultGenerator?> DefaultGeneratorFunction = new(FindDefaultGenerator);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr DefaultGenerator(sbyte deviceIndex);

    /// <summary>True when the default CUDA generator's state can be read and written.</summary>
    public static bool Available => DefaultGeneratorFunction.Value is not null;

    /// <summary>The state of <paramref name="device"/>'s default generator (a small CPU byte tensor), or null when unavailable.</summary>
    public static Tensor? TryGet(Device device)
    {
        IntPtr generator = Generator(device);
        if (generator == IntPtr.Zero) return null;
        IntPtr handle = THSGenerator_get_rng_state(generator);
        return handle == IntPtr.Zero ? null : Tensor.UnsafeCreateTensor(handle).DetachFromDisposeScope();
    }

    /// <summary>Puts <paramref name="state"/> (from <see cref="TryGet"/>) back into <paramref name="device"/>'s default generator.</summary>
    public static void Set(Device device, Tensor state)
    {
        IntPtr generator = Generator(device);
        if (generator == IntPtr.Zero) throw new InvalidOperationException("AutoCkpt: the default CUDA generator cannot be reached.");
        THSGenerator_set_rng_state(generator, state.Handle);
    }

    private static IntPtr Generator(Device device) =>
        DefaultGeneratorFunction.Value is { } get ? get((sbyte)device.index) : IntPtr.Zero;

    private static DefaultGenerator? FindDefaultGenerator()
    {
        if (Environment.GetEnvironmentVariable("AUTOCKPT_CUDA_RNG_STATE") == "0") return null;
        foreach (string name in new[] { "libtorch_cuda.so", "torch_cuda.dll" })
            if (NativeLibrary.TryLoad(name, out IntPtr library) && NativeLibrary.TryGetExport(library, DefaultGeneratorSymbol, out IntPtr function))
                return Marshal.GetDelegateForFunctionPointer<DefaultGenerator>(function);
        return null;
    }

    [DllImport("LibTorchSharp")] private static extern IntPtr THSGenerator_get_rng_state(IntPtr generator);
    [DllImport("LibTorchSharp")] private static extern void THSGenerator_set_rng_state(IntPtr generator, IntPtr tensor);
}
