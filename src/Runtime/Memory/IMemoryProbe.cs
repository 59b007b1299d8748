namespace AutoCkpt.Memory;

/// <summary>
/// Reads live and peak device memory. One implementation per device type; the profiler picks one by device.
/// Bytes throughout. Readings are process-wide, so measure one thing at a time.
/// </summary>
public interface IMemoryProbe
{
    /// <summary>The device type this probe reads: "cpu" or "cuda".</summary>
    string DeviceType { get; }

    /// <summary>Bytes allocated and not yet freed right now.</summary>
    long LiveBytes();

    /// <summary>Forgets the peak so far; the next <see cref="PeakBytes"/> reports the peak since this call.</summary>
    void ResetPeak();

    /// <summary>The highest memory in use since the last <see cref="ResetPeak"/>, on the same scale as <see cref="LiveBytes"/>.</summary>
    long PeakBytes();
}
