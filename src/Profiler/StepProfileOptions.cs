namespace AutoCkpt.Profiler;

/// <summary>How <see cref="StepProfiler.Profile"/> profiles.</summary>
public sealed record StepProfileOptions
{
    /// <summary>Measured steps; every figure is their median. Default 5.</summary>
    public int Repeats { get; init; } = 5;

    /// <summary>The name written as the profile's target; default: the model's class name.</summary>
    public string? Name { get; init; }

    /// <summary>Unit path patterns (<c>layers.*</c>), as <c>CheckpointOptions.Units</c>; empty: the units the finder finds.</summary>
    public IReadOnlyList<string> Units { get; init; } = [];

    /// <summary>Unit path patterns that must not run tidy, as <c>CheckpointOptions.NoTidy</c>.</summary>
    public IReadOnlyList<string> NoTidy { get; init; } = [];

    /// <summary>
    /// The optimizer the step steps. Its state (the tensors it holds, each once: Adam's two moments per parameter) is
    /// the profile's optimizer state, read after the first step. Without it (or for an optimizer implemented in native
    /// code) the state is read as the live growth over the first step less its gradients, which sees only state made in
    /// the step and misses what TorchSharp's optimizers make when they are created: warning ACKPT113.
    /// </summary>
    public TorchSharp.torch.optim.Optimizer? Optimizer { get; init; }

    /// <summary>Where warnings go, one line each (<c>PATH: warning ACKPTnnn: …</c>); default: standard error.</summary>
    public Action<string>? OnWarning { get; init; }
}
