namespace AutoCkpt.Formats.Options;

/// <summary>
/// The peaks a percentage cap may refer to, in bytes: <paramref name="None"/> (the plain model),
/// <paramref name="Tidy"/> (no recompute, every allowed unit tidy) and <paramref name="Smallest"/> (the smallest peak
/// any plan reaches).
/// </summary>
public sealed record CapReferences(long None, long Tidy, long Smallest);
