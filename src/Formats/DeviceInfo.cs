namespace AutoCkpt.Formats;

/// <summary>The device a profile was measured on or a plan was made for.</summary>
/// <param name="Type">"cpu" or "cuda".</param>
/// <param name="Name">A human-readable device name, e.g. "NVIDIA H100 80GB HBM3".</param>
public sealed record DeviceInfo(string Type, string Name);

/// <summary>Identifies a model's stage structure.</summary>
/// <param name="Fingerprint">"sha256:..." over stage names, module types and parameter shapes, in order.</param>
/// <param name="Stages">The number of stages.</param>
public sealed record ModelInfo(string Fingerprint, int Stages);
