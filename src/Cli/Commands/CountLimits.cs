namespace AutoCkpt.Cli.Commands;

/// <summary>
/// The ranges of the repeat counts of <c>profile</c> and <c>bench</c> (a batch size too large for the device is ACKPT028): wide enough for any real run, narrow enough that
/// a typo (an extra digit, a pasted byte count) is an ACKPT080 error at once, not a run that never ends.
/// </summary>
internal static class CountLimits
{
    /// <summary>profile --repeats: at most 1000 measured runs per stage.</summary>
    public const int MaxRepeats = 1000;

    /// <summary>bench --steps: at most 10,000 timed steps per strategy.</summary>
    public const int MaxSteps = 10_000;
}
