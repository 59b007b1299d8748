using System.Globalization;
using System.Text.RegularExpressions;
using AutoCkpt.Formats.Errors;

namespace AutoCkpt.Formats.Options;

/// <summary>A memory cap as the user writes it: bytes, a size with a unit, or a percentage of a reference.</summary>
/// <param name="Bytes">The absolute cap in bytes, or null when <paramref name="Percent"/> is set.</param>
/// <param name="Percent">The cap as a percentage of <see cref="Reference"/>, or null.</param>
public sealed record MemoryCap(long? Bytes, double? Percent)
{
    /// <summary>The prefix of a cap that is a share of the saveable range: <c>range:50%</c>.</summary>
    public const string RangePrefix = "range:";

    /// <summary>What <see cref="Percent"/> is a share of; <see cref="CapReference.NonePeak"/> unless written <c>range:N%</c>.</summary>
    public CapReference Reference { get; init; } = CapReference.NonePeak;

    /// <summary>Whether the cap is a share of the saveable range, so resolving it needs the smallest reachable peak.</summary>
    public bool IsRange => Percent is not null && Reference == CapReference.SaveableRange;

    private static readonly Regex Pattern = new(@"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z%]*)\s*$", RegexOptions.CultureInvariant);

    private static readonly Dictionary<string, double> Units = new(StringComparer.OrdinalIgnoreCase)
    {
        [""] = 1, ["B"] = 1,
        ["KB"] = 1e3, ["MB"] = 1e6, ["GB"] = 1e9, ["TB"] = 1e12,
        ["KiB"] = 1024, ["MiB"] = 1024.0 * 1024, ["GiB"] = 1024.0 * 1024 * 1024, ["TiB"] = 1024.0 * 1024 * 1024 * 1024,
    };

    /// <summary>The largest cap or headroom in bytes: 2⁶⁰ (1 EiB), far above any device, so that sums stay in a long.</summary>
    public const long MaxBytes = 1L << 60;

    /// <summary>The largest percentage: 10⁶% (10,000 times the reference).</summary>
    public const double MaxPercent = 1e6;

    /// <summary>
    /// Parses "8000000000", "6GiB", "512 MB" (a space between number and unit is allowed), "60%" (of the <c>none</c>
    /// peak) or "range:50%" (50% of the way from the smallest reachable peak to the <c>tidy</c> peak; 0 to 100%). Units: B, KB, MB,
    /// GB, TB (powers of 1000) and KiB, MiB, GiB, TiB (powers of 1024), case-insensitive. Throws
    /// <see cref="AckptException"/> (ACKPT041) on an unknown unit, a non-positive value, less than a byte, more than
    /// <see cref="MaxBytes"/>, a percentage over <see cref="MaxPercent"/> or a range share outside 0-100%; its message names the value as
    /// <paramref name="name"/> (the MSBuild task passes its property's name).
    /// </summary>
    public static MemoryCap Parse(string text, string? file = null, string name = "memory cap")
    {
        string trimmed = (text ?? "").Trim();
        if (!trimmed.StartsWith(RangePrefix, StringComparison.OrdinalIgnoreCase))
            return ParseSize(text ?? "", file, name, allowZero: false);
        string share = trimmed[RangePrefix.Length..];
        var m = Pattern.Match(share);
        if (!m.Success || m.Groups[2].Value != "%")
            throw new AckptException(ErrorCodes.BadCap, $"{name} '{text}' is not a share of the saveable range: write range:N% with N from 0 to 100 (range:50% is halfway from the smallest reachable peak to the tidy peak).", file);
        double value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        if (value > 100)
            throw new AckptException(ErrorCodes.BadCap, $"{name} '{text}' is out of range: a share of the saveable range is from 0% (the smallest reachable peak) to 100% (the tidy peak).", file);
        return new MemoryCap(null, value) { Reference = CapReference.SaveableRange };
    }

    /// <summary>
    /// Parses a headroom, the part of the cap a plan leaves unused: the same syntax as <see cref="Parse"/>, where N%
    /// is a percentage of the cap (below 100) and 0 is allowed; <paramref name="name"/> as in <see cref="Parse"/>. Throws <see cref="AckptException"/> (ACKPT041).
    /// </summary>
    public static MemoryCap ParseHeadroom(string text, string? file = null, string name = "headroom")
    {
        var headroom = ParseSize(text, file, name, allowZero: true);
        if (headroom.Percent >= 100)
            throw new AckptException(ErrorCodes.BadCap, $"{name} '{text}' must be less than 100% of the cap.", file);
        return headroom;
    }

    private static MemoryCap ParseSize(string text, string? file, string what, bool allowZero)
    {
        var m = Pattern.Match(text ?? "");
        if (!m.Success)
            throw new AckptException(ErrorCodes.BadCap, $"{what} '{text}' is not a size: write bytes, a size with a unit (KB, MB, GB, KiB, MiB, GiB) or N%.", file);
        double value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        string unit = m.Groups[2].Value;
        if (unit != "%" && !Units.ContainsKey(unit))
            throw new AckptException(ErrorCodes.BadCap, $"{what} '{text}' has an unknown unit '{unit}': use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB or %.", file);
        if (value == 0 && allowZero)
            return new MemoryCap(0, null);
        if (value <= 0)
            throw new AckptException(ErrorCodes.BadCap, $"{what} '{text}' must be positive.", file);
        if (unit == "%")
        {
            if (value > MaxPercent)
                throw new AckptException(ErrorCodes.BadCap, $"{what} '{text}' is out of range: at most {MaxPercent:0}%.", file);
            return new MemoryCap(null, value);
        }
        double scale = Units[unit];
        double bytes = Math.Floor(value * scale);
        if (bytes < 1 || bytes > MaxBytes)
            throw new AckptException(ErrorCodes.BadCap, $"{what} '{text}' is out of range: from 1 byte to {Format(MaxBytes)} (2^60 bytes).", file);
        return new MemoryCap((long)bytes, null);
    }

    /// <summary>The bytes, given the reference that a percentage refers to (a cap: the no-checkpointing peak; a headroom: the cap).</summary>
    /// <remarks>A percentage that resolves to more than <see cref="MaxBytes"/> is capped there. A range cap needs
    /// <see cref="Resolve(CapReferences)"/>: here it throws <see cref="InvalidOperationException"/>.</remarks>
    public long Resolve(long noCheckpointingPeakBytes) => IsRange
        ? throw new InvalidOperationException($"the cap range:{Percent}% needs the smallest reachable and the tidy peak: resolve it with CapReferences.")
        : Bytes ?? (long)Math.Min(MaxBytes, Math.Floor(noCheckpointingPeakBytes * Percent!.Value / 100.0));

    /// <summary>
    /// The cap in bytes: its bytes, N% of <see cref="CapReferences.None"/>, or for <c>range:N%</c>
    /// Smallest + N% of (Tidy − Smallest) (Smallest when the tidy peak is not above it).
    /// </summary>
    public long Resolve(CapReferences peaks)
    {
        ArgumentNullException.ThrowIfNull(peaks);
        if (!IsRange) return Resolve(peaks.None);
        long span = Math.Max(0, peaks.Tidy - peaks.Smallest);
        return peaks.Smallest + (long)Math.Floor(span * Percent!.Value / 100.0);
    }

    /// <summary>
    /// Says what the cap is, for output: "6.00 GiB", "60% of the none peak (95.60 MiB): 57.36 MiB" or "range:50%, 50% of
    /// the way from the smallest reachable peak (…) to the tidy peak (…): …".
    /// </summary>
    public string Describe(CapReferences peaks)
    {
        long bytes = Resolve(peaks);
        string pct = Percent?.ToString("0.###", CultureInfo.InvariantCulture) ?? "";
        if (Percent is null) return $"{Format(bytes)} (bytes, not a share of a peak)";
        return IsRange
            ? $"range:{pct}% = {pct}% of the way from the smallest reachable peak ({Format(peaks.Smallest)}) to the tidy peak ({Format(peaks.Tidy)}): {Format(bytes)}"
            : $"{pct}% of the none peak ({Format(peaks.None)}): {Format(bytes)}";
    }

    /// <summary>Formats bytes for people, e.g. "6.00 GiB".</summary>
    public static string Format(long bytes)
    {
        string[] names = ["B", "KiB", "MiB", "GiB", "TiB"];
        double v = bytes;
        int i = 0;
        while (Math.Abs(v) >= 1024 && i < names.Length - 1) { v /= 1024; i++; }
        return i == 0 ? $"{bytes} B" : v.ToString("0.00", CultureInfo.InvariantCulture) + " " + names[i];
    }
}
