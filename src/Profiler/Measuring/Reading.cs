namespace AutoCkpt.Profiler.Measuring;

/// <summary>One measured action: its duration and the device memory around it. Seconds and bytes.</summary>
/// <param name="Seconds">Wall time of the action, device-synchronised before and after.</param>
/// <param name="LiveBeforeBytes">Live bytes just before the action.</param>
/// <param name="LiveAfterBytes">Live bytes just after it.</param>
/// <param name="PeakBytes">The highest live bytes during it (never below <paramref name="LiveAfterBytes"/>).</param>
public sealed record Reading(double Seconds, long LiveBeforeBytes, long LiveAfterBytes, long PeakBytes)
{
    /// <summary>Live after minus live before: what the action left allocated (negative when it freed more).</summary>
    public long GrowthBytes => LiveAfterBytes - LiveBeforeBytes;

    /// <summary>The peak above the live bytes after the action (≥ 0): memory it used and gave back.</summary>
    public long PeakAboveAfterBytes => Math.Max(0, PeakBytes - LiveAfterBytes);

    /// <summary>The peak above the live bytes before the action (≥ 0).</summary>
    public long PeakAboveBeforeBytes => Math.Max(0, PeakBytes - LiveBeforeBytes);
}
