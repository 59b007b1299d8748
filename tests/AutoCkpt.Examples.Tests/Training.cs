using TorchSharp;

namespace AutoCkpt.Examples.Tests;

/// <summary>A plain training loop over a target, as the examples run it.</summary>
internal static class Training
{
    /// <summary>Trains <paramref name="model"/> for <paramref name="steps"/> steps and returns each step's loss.</summary>
    public static List<double> Run(ICheckpointTarget target, torch.nn.Module<torch.Tensor, torch.Tensor> model, int steps, int? batchSize = null)
    {
        using var optimizer = target.CreateOptimizer(model) ?? throw new InvalidOperationException("the target has no optimizer");
        model.train();
        var losses = new List<double>(steps);
        for (int step = 0; step < steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            var (x, y) = target.CreateBatch(torch.CPU, batchSize ?? target.DefaultBatchSize);
            optimizer.zero_grad();
            var loss = target.Loss(model.call(x), y);
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }
        return losses;
    }
}
