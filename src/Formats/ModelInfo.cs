namespace AutoCkpt.Formats;

/// <summary>Identifies a model's stage structure.</summary>
/// <param name="Fingerprint">"sha256:..." over stage names, module types and parameter shapes, in order.</param>
/// <param name="Stages">The number of stages.</param>
public sealed record ModelInfo(string Fingerprint, int Stages);
