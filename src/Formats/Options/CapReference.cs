namespace AutoCkpt.Formats.Options;

/// <summary>What a percentage cap is a share of.</summary>
public enum CapReference
{
    /// <summary><c>N%</c>: N% of the predicted <c>none</c> peak (the plain model, no recompute, no unit tidy).</summary>
    NonePeak,
    /// <summary>
    /// <c>range:N%</c>: N% of the way from the smallest peak any plan reaches up to the predicted <c>tidy</c> peak (no
    /// recompute, every allowed unit tidy): the share of what checkpointing can save.
    /// </summary>
    SaveableRange,
}
