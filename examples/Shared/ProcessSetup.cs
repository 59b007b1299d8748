using System.Runtime.InteropServices;

namespace AutoCkpt.Examples;

/// <summary>
/// What the main job sets before libtorch loads, as <c>autockpt profile</c> and <c>bench</c> set it for their host
/// process: OpenMP threads wait passively (spinning ones made CPU steps 5-20x slower on a busy 2-core machine), unless
/// the user chose a policy; and libtorch's CUDA allocator takes from the driver's memory pool, which the CUDA memory
/// probe reads (PYTORCH_CUDA_ALLOC_CONF=backend:cudaMallocAsync), unless the user chose an allocator. Tiered JIT is
/// off in the examples' project files (its background recompiles allocate native memory at random moments, which the
/// CPU memory probe would read as the model's).
/// </summary>
public static class ProcessSetup
{
    /// <summary>Sets the native environment before libtorch loads (see the class).</summary>
    public static void BeforeTorch()
    {
        if (OperatingSystem.IsLinux() && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OMP_WAIT_POLICY")))
            setenv("OMP_WAIT_POLICY", "PASSIVE", 1); // the native environment, which libgomp reads when it loads
        Checkpointing.UseProfiledAllocator(); // the CUDA allocator the profile was measured under; libtorch reads it when CUDA is first used
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv(string name, string value, int overwrite);
}
