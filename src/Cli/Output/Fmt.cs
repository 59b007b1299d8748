using System.Globalization;
using AutoCkpt.Formats.Options;

namespace AutoCkpt.Cli.Output;

/// <summary>Number formats shared by the tables.</summary>
internal static class Fmt
{
    public static string Bytes(long b) => MemoryCap.Format(b);

    public static string Ms(double seconds) => (seconds * 1000).ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    public static string Pct(double fraction) => (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    public static string Overhead(double step, double baseStep) => "+" + Pct((step - baseStep) / baseStep);
}
