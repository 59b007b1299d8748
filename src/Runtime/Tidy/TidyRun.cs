using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Tidy;

/// <summary>
/// Runs one unit tidy: inside a dispose scope of its own, so that every tensor handle it made is disposed as soon as
/// it returns, except its output and what the unit's modules hold for later (their buffers and fields:
/// <see cref="HeldTensors"/>), which move on to the caller's scope as they would have lived without tidy. Autograd
/// keeps what it saved, so gradients do not change; only handles nothing will read are freed early.
/// </summary>
internal static class TidyRun
{
    /// <summary>Calls <paramref name="module"/> on <paramref name="input"/> (through <c>call</c>, so hooks fire) and tidies.</summary>
    public static Tensor Call(nn.Module<Tensor, Tensor> module, Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var output = module.call(input);
        scope.MoveToOuter(output);
        if (scope.DisposablesCount > 0)
        {
            var held = new List<Tensor>();
            HeldTensors.Collect(module, held);
            if (held.Count > 0) scope.MoveToOuter(held);
        }
        return output;
    }
}
