using System.Runtime.InteropServices;
using System.Text;
using AutoCkpt.Formats.Errors;

namespace AutoCkpt.Memory;

/// <summary>
/// CUDA memory through the driver's default memory pool (libcuda <c>cuMemPoolGetAttribute</c>): live bytes are the
/// pool's <c>USED_MEM_CURRENT</c>, the peak its <c>USED_MEM_HIGH</c>, reset by setting it to 0. libtorch allocates
/// from that pool only when <c>PYTORCH_CUDA_ALLOC_CONF=backend:cudaMallocAsync</c> was set before the process
/// started (<c>autockpt profile</c> and <c>bench</c> set it for the processes they launch). Bytes throughout.
/// </summary>
public sealed class CudaMemoryProbe : IMemoryProbe
{
    private const string Driver = "libcuda.so.1";
    private const int UsedMemCurrent = 7;
    private const int UsedMemHigh = 8;

    /// <summary>The <c>PYTORCH_CUDA_ALLOC_CONF</c> value that makes libtorch allocate from the driver's pool.</summary>
    public const string PoolAllocatorConf = "backend:cudaMallocAsync";
    private readonly IntPtr _pool;

    /// <summary>
    /// Opens the default memory pool of CUDA device <paramref name="deviceIndex"/> (as numbered after
    /// <c>CUDA_VISIBLE_DEVICES</c>). Throws <see cref="AckptException"/> (ACKPT027) saying why when the NVIDIA driver
    /// cannot be loaded, the device does not exist, or libtorch is not set to allocate from the pool.
    /// </summary>
    public CudaMemoryProbe(int deviceIndex = 0)
    {
        if (!OperatingSystem.IsLinux())
            throw Unavailable("the CUDA memory probe needs Linux (libcuda.so.1).");
        if (!NativeLibrary.TryLoad(Driver, out _))
            throw Unavailable($"{Driver} (the NVIDIA driver library) could not be loaded: this machine has no NVIDIA driver, or it is not on the library path.");
        if (!UsesAsyncAllocator(Environment.GetEnvironmentVariable("PYTORCH_CUDA_ALLOC_CONF")))
            throw Unavailable("PYTORCH_CUDA_ALLOC_CONF does not select backend:cudaMallocAsync, so libtorch does not allocate from the " +
                              "driver's memory pool and the probe would read nothing. Set PYTORCH_CUDA_ALLOC_CONF=backend:cudaMallocAsync before the process starts.");
        Check(cuInit(0), "cuInit");
        Check(cuDeviceGet(out int device, deviceIndex), $"cuDeviceGet({deviceIndex})");
        Check(cuDeviceGetDefaultMemPool(out _pool, device), "cuDeviceGetDefaultMemPool");
        var name = new byte[256];
        Check(cuDeviceGetName(name, name.Length, device), "cuDeviceGetName");
        DeviceName = Encoding.UTF8.GetString(name, 0, Math.Max(0, Array.IndexOf(name, (byte)0)));
        ResetPeak();
    }

    /// <inheritdoc />
    public string DeviceType => "cuda";

    /// <summary>The device's name as the driver reports it, e.g. "NVIDIA H100 80GB HBM3".</summary>
    public string DeviceName { get; }

    /// <inheritdoc />
    public long LiveBytes() => Read(UsedMemCurrent);

    /// <inheritdoc />
    public void ResetPeak()
    {
        ulong zero = 0;
        Check(cuMemPoolSetAttribute(_pool, UsedMemHigh, ref zero), "cuMemPoolSetAttribute(USED_MEM_HIGH)");
    }

    /// <inheritdoc />
    public long PeakBytes() => Math.Max(Read(UsedMemHigh), LiveBytes());

    /// <summary>True when an allocator configuration string selects the cudaMallocAsync backend.</summary>
    public static bool UsesAsyncAllocator(string? allocConf) =>
        allocConf is not null && allocConf.Replace(" ", "").Contains(PoolAllocatorConf, StringComparison.Ordinal);

    private long Read(int attribute)
    {
        Check(cuMemPoolGetAttribute(_pool, attribute, out ulong value), "cuMemPoolGetAttribute");
        return (long)value;
    }

    private static void Check(int result, string call)
    {
        if (result == 0) return;
        string text = cuGetErrorString(result, out IntPtr s) == 0 && s != IntPtr.Zero ? Marshal.PtrToStringUTF8(s) ?? "" : "";
        throw Unavailable($"{call} failed with CUDA error {result} {text}".TrimEnd() + ".");
    }

    private static AckptException Unavailable(string why) =>
        new(ErrorCodes.CudaUnavailable, "CUDA memory cannot be measured: " + why);

    [DllImport(Driver)] private static extern int cuInit(uint flags);
    [DllImport(Driver)] private static extern int cuDeviceGet(out int device, int ordinal);
    [DllImport(Driver)] private static extern int cuDeviceGetName(byte[] name, int length, int device);
    [DllImport(Driver)] private static extern int cuDeviceGetDefaultMemPool(out IntPtr pool, int device);
    [DllImport(Driver)] private static extern int cuMemPoolGetAttribute(IntPtr pool, int attribute, out ulong value);
    [DllImport(Driver)] private static extern int cuMemPoolSetAttribute(IntPtr pool, int attribute, ref ulong value);
    [DllImport(Driver)] private static extern int cuGetErrorString(int error, out IntPtr text);
}
