using AutoCkpt.Memory;
using AutoCkpt.Runtime.Tests.Memory;
using AutoCkpt.Strategies.SaveMatmuls;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Strategies.SaveMatmuls;

/// <summary>
/// A kept output handed back costs no second copy (docs/cost-model.md, "Save-matmuls: the node's output cache"):
/// TorchSharp's custom-function node keeps <c>empty_like(output)</c> while it lives, which held every kept
/// <c>Linear</c> output twice through a save-matmuls unit's recompute and backward (+0.30 MiB over the prediction on
/// suite-explicit-attention at batch 2).
/// </summary>
[Collection(MemoryCollection.Name)]
public sealed class SavedLinearMemoryTests
{
    [Fact]
    public void Given_a_kept_output_When_it_is_handed_back_Then_live_memory_does_not_grow_by_its_size()
    {
        var probe = new CpuMemoryProbe();
        torch.manual_seed(7);
        using var scope = torch.NewDisposeScope();
        var layer = nn.Linear(256, 1024);
        var x = torch.randn([16, 128, 256]).requires_grad_(true);
        Tensor kept;
        using (torch.no_grad()) kept = layer.call(x);
        long outputBytes = kept.NumberOfElements * kept.ElementSize; // 8 MiB
        using (var warm = SavedLinearFunction.Apply(kept.clone(), x, layer.weight!, layer.bias)) { }

        long before = probe.LiveBytes();
        var handed = SavedLinearFunction.Apply(kept, x, layer.weight!, layer.bias);
        long grown = probe.LiveBytes() - before;

        Assert.True(handed.requires_grad);
        Assert.InRange(grown, -outputBytes / 100, outputBytes / 100);
    }
}
