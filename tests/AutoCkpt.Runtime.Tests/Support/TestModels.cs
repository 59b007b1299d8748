using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Support;

/// <summary>Small real models for the tests, made deterministically from a seed.</summary>
internal static class TestModels
{
    public const long Features = 8;
    public const long Outputs = 4;

    /// <summary>
    /// Eight single-op stages with batch norm and dropout: Linear, BatchNorm1d, ReLU, Dropout, Linear, Tanh, Dropout, Linear.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Mlp(ScalarType dtype, long seed = 1, long hidden = 16)
    {
        torch.manual_seed(seed);
        var model = nn.Sequential(
            ("0", nn.Linear(Features, hidden)),
            ("1", nn.BatchNorm1d(hidden)),
            ("2", nn.ReLU()),
            ("3", nn.Dropout(0.25)),
            ("4", nn.Linear(hidden, hidden)),
            ("5", nn.Tanh()),
            ("6", nn.Dropout(0.25)),
            ("7", nn.Linear(hidden, Outputs)));
        model.to(dtype);
        return model;
    }

    /// <summary>Four stages, each a small block: Linear, BatchNorm1d, GELU, Dropout.</summary>
    public static nn.Module<Tensor, Tensor> Blocks(ScalarType dtype, long seed = 1)
    {
        torch.manual_seed(seed);
        var stages = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i < 4; i++)
        {
            long output = i == 3 ? Outputs : 16;
            long input = i == 0 ? Features : 16;
            stages.Add(($"block{i}", nn.Sequential(nn.Linear(input, output), nn.BatchNorm1d(output), nn.GELU(), nn.Dropout(0.2))));
        }
        var model = nn.Sequential(stages);
        model.to(dtype);
        return model;
    }

    /// <summary>
    /// A stack where activations dominate: each stage is Linear, GELU, Linear, GELU at width
    /// <paramref name="width"/>, so a plain forward keeps four activations per stage (no dropout: CPU bernoulli
    /// would dominate the test's time; dropout is covered by the equivalence tests).
    /// </summary>
    public static nn.Module<Tensor, Tensor> ActivationHeavyStack(int stages, long width, long seed = 1)
    {
        torch.manual_seed(seed);
        var list = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i < stages; i++)
            list.Add(($"{i}", nn.Sequential(nn.Linear(width, width), nn.GELU(), nn.Linear(width, width), nn.GELU())));
        return nn.Sequential(list);
    }

    /// <summary>Regression batches of <paramref name="batch"/> rows, made from a fixed seed.</summary>
    public static IReadOnlyList<(Tensor Input, Tensor Target)> Batches(int count, long batch, ScalarType dtype, long seed = 100)
    {
        torch.manual_seed(seed);
        return Enumerable.Range(0, count)
            .Select(_ => (torch.randn(batch, Features, dtype: dtype).DetachFromDisposeScope(),
                          torch.randn(batch, Outputs, dtype: dtype).DetachFromDisposeScope()))
            .ToList();
    }

    public static Tensor MseLoss(Tensor output, Tensor target) => nn.functional.mse_loss(output, target);
}
