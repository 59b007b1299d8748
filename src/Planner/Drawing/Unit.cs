namespace AutoCkpt.Planner.Drawing;

/// <summary>A unit an axis is labelled in: its name and its size in the data's base unit (bytes or seconds).</summary>
public sealed record Unit(string Name, double Size)
{
    private static readonly Unit[] ByteUnits = [new("B", 1), new("KiB", 1024), new("MiB", 1024.0 * 1024), new("GiB", 1024.0 * 1024 * 1024), new("TiB", 1024.0 * 1024 * 1024 * 1024)];
    private static readonly Unit[] SecondUnits = [new("ns", 1e-9), new("µs", 1e-6), new("ms", 1e-3), new("s", 1)];

    /// <summary>The largest of B, KiB, MiB, GiB, TiB in which <paramref name="maxBytes"/> is at least 1 (B for 0 or not finite).</summary>
    public static Unit ForBytes(double maxBytes) => Largest(ByteUnits, maxBytes);

    /// <summary>The largest of ns, µs, ms, s in which <paramref name="maxSeconds"/> is at least 1 (ns below a nanosecond, s for 0 or not finite).</summary>
    public static Unit ForSeconds(double maxSeconds) =>
        maxSeconds > 0 && double.IsFinite(maxSeconds) ? Largest(SecondUnits, maxSeconds) : SecondUnits[^1];

    /// <summary><paramref name="value"/> (in the base unit) in this unit.</summary>
    public double Of(double value) => value / Size;

    private static Unit Largest(Unit[] units, double max) =>
        double.IsFinite(max) ? units.LastOrDefault(u => max >= u.Size) ?? units[0] : units[0];
}
