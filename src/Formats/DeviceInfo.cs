namespace AutoCkpt.Formats;

/// <summary>The device a profile was measured on or a plan was made for.</summary>
/// <param name="Type">"cpu" or "cuda".</param>
/// <param name="Name">A human-readable device name, e.g. "NVIDIA H100 80GB HBM3".</param>
public sealed record DeviceInfo(string Type, string Name);
