using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.InPlace;

/// <summary>A unit the in-place profiler measures: its module path in the model and the model's own module.</summary>
/// <param name="Path">The module path, e.g. "layers.0".</param>
/// <param name="Module">The module, hooked where it runs.</param>
public sealed record InPlaceUnit(string Path, nn.Module Module);
