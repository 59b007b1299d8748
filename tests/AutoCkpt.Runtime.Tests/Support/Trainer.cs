using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Support;

/// <summary>What a short training run produced, kept outside any dispose scope.</summary>
internal sealed class TrainingTrace : IDisposable
{
    public List<Tensor> Losses { get; } = [];
    /// <summary>Per step, one gradient per parameter (null when the parameter got none).</summary>
    public List<List<Tensor?>> Gradients { get; } = [];
    public List<Tensor> Parameters { get; } = [];
    public List<Tensor> Buffers { get; } = [];
    public Tensor? RngStateAfter { get; set; }

    public void Dispose()
    {
        foreach (var t in Losses.Concat(Gradients.SelectMany(g => g)).Concat(Parameters).Concat(Buffers).Append(RngStateAfter))
            t?.Dispose();
    }
}

/// <summary>Trains a model for a few steps the way a training app does: one dispose scope per step.</summary>
internal static class Trainer
{
    public const long DropoutSeed = 200;

    public static TrainingTrace Run(
        nn.Module<Tensor, Tensor> model,
        IReadOnlyList<(Tensor Input, Tensor Target)> batches,
        Func<Tensor, Tensor, Tensor> loss)
    {
        var trace = new TrainingTrace();
        model.train();
        using var optimizer = torch.optim.SGD(model.parameters(), 0.05, momentum: 0.9);
        torch.manual_seed(DropoutSeed);
        foreach (var (input, target) in batches)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var l = loss(model.call(input), target);
            l.backward();
            trace.Losses.Add(Keep(l));
            trace.Gradients.Add(model.parameters().Select(p => p.grad is { } g ? Keep(g) : null).ToList());
            optimizer.step();
        }
        trace.Parameters.AddRange(model.parameters().Select(Keep));
        trace.Buffers.AddRange(model.buffers().Select(Keep));
        trace.RngStateAfter = torch.get_rng_state().DetachFromDisposeScope();
        return trace;
    }

    private static Tensor Keep(Tensor t) => t.detach().clone().DetachFromDisposeScope();
}
