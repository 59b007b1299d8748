using System.CommandLine.Parsing;
using System.Globalization;

namespace AutoCkpt.Cli.Commands;

/// <summary>
/// The count options of <c>profile</c> and <c>bench</c>, parsed here so that a value that is not a whole number or is out
/// of range is one ACKPT080 line naming the option: wide enough for any real run, narrow enough that a typo (an extra
/// digit, a pasted byte count) is refused at once, not a run that never ends. A batch too large for the device is
/// ACKPT028, found when it is tried.
/// </summary>
internal static class CountLimits
{
    /// <summary>profile --repeats: at most 1000 measured runs per stage.</summary>
    public const int MaxRepeats = 1000;

    /// <summary>bench --steps: at most 10,000 timed steps per strategy.</summary>
    public const int MaxSteps = 10_000;

    /// <summary>A parser for a count from 1 to <paramref name="max"/>.</summary>
    public static Func<ArgumentResult, int> Count(string option, int max) => r => Parse(r, option, max) ?? 0;

    /// <summary>A parser for an optional count from 1 to <paramref name="max"/>.</summary>
    public static Func<ArgumentResult, int?> OptionalCount(string option, int max) => r => Parse(r, option, max);

    private static int? Parse(ArgumentResult r, string option, int max)
    {
        string token = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
        if (int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= max) return n;
        r.AddError(max == int.MaxValue ? $"{option} '{token}' must be a whole number, at least 1." : $"{option} '{token}' must be a whole number from 1 to {max}.");
        return null;
    }
}
