using AutoCkpt.Strategies.SaveMatmuls;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// A unit's recompute as a save-matmuls unit runs it (docs/selective.md): the outputs of its <c>Linear</c> layers are
/// kept from a forward made before the pass (not measured), then the measured forward is the recompute's: with autograd,
/// each layer given an empty batch and handed back its kept output (<see cref="LinearOutputs.Replay"/>), the rest as a
/// <see cref="RecomputeStagePass"/>. Its forward time is the option's recompute time; <see cref="KeptBytes"/> its kept bytes.
/// </summary>
internal sealed class SaveMatmulsStagePass : IStagePass
{
    private readonly List<Tensor> _kept;
    private readonly RecomputeStagePass _inner;

    /// <param name="unit">The unit and how to call it on its first input.</param>
    /// <param name="input">The unit's real (first) input; left untouched.</param>
    /// <param name="inputRequiresGrad">Whether the input needs a gradient in a training step.</param>
    public SaveMatmulsStagePass(UnitCall unit, Tensor input, bool inputRequiresGrad)
    {
        var layers = LinearOutputs.Of(unit.Module);
        using (NewDisposeScope())
        using (no_grad())
            _kept = LinearOutputs.Capture(layers, () => unit.Run(input)).Kept;
        KeptBytes = _kept.Sum(t => t.NumberOfElements * t.ElementSize);
        _inner = new RecomputeStagePass(unit with { Run = x => LinearOutputs.Replay(layers, _kept, () => unit.Run(x)) }, input, inputRequiresGrad);
    }

    /// <summary>Bytes of the <c>Linear</c> outputs kept from the forward.</summary>
    public long KeptBytes { get; }

    public void Forward() => _inner.Forward();

    public long OutputBytes => _inner.OutputBytes;

    public void ReleaseInput() => _inner.ReleaseInput();

    public bool HasBackward => _inner.HasBackward;

    public void PrepareBackward() => _inner.PrepareBackward();

    public void Backward() => _inner.Backward();

    public void Dispose()
    {
        _inner.Dispose();
        foreach (var t in _kept) t?.Dispose();
    }
}
