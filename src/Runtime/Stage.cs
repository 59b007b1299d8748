using TorchSharp;

namespace AutoCkpt;

/// <summary>One stage of a model: a named module that maps the previous stage's output to the next stage's input.</summary>
/// <param name="Name">The stage's name, e.g. "blocks.3"; part of the model fingerprint.</param>
/// <param name="Module">The module that runs the stage.</param>
public sealed record Stage(string Name, torch.nn.Module<torch.Tensor, torch.Tensor> Module);
