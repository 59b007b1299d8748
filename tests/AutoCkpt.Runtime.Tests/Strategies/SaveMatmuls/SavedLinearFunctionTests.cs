using AutoCkpt.Runtime.Tests.Support;
using AutoCkpt.Strategies.SaveMatmuls;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Strategies.SaveMatmuls;

/// <summary>The kept-output function's gradients are a Linear layer's own, bit for bit, on the CPU.</summary>
public sealed class SavedLinearFunctionTests
{
    [Theory]
    [InlineData(true, 3)]
    [InlineData(false, 3)]
    [InlineData(true, 2)]
    public void Given_a_linear_layer_When_its_kept_output_is_handed_back_Then_the_gradients_are_the_layers(bool bias, int dims)
        => Check(bias, dims, transposedUpstream: false);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Given_an_upstream_gradient_that_is_not_contiguous_When_the_kept_output_is_handed_back_Then_the_gradients_are_the_layers(bool bias)
        => Check(bias, 3, transposedUpstream: true);

    private static void Check(bool bias, int dims, bool transposedUpstream)
    {
        torch.manual_seed(7);
        var layer = nn.Linear(8, 12, hasBias: bias);
        long[] shape = dims == 3 ? [3, 5, 8] : [15, 8];
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(shape).requires_grad_(true);
        // Transposed: as a token-mixing Linear's output gets it when the output is transposed back (an MLP-Mixer).
        var upstream = transposedUpstream ? torch.randn([shape[0], 12, shape[1]]).transpose(1, 2) : torch.randn([.. shape[..^1], 12]);

        var y = layer.call(x);
        y.backward([upstream]);
        var expected = new[] { x.grad!.clone(), layer.weight!.grad!.clone(), bias ? layer.bias!.grad!.clone() : null };
        x.grad!.zero_();
        layer.zero_grad();

        var kept = y.detach().clone();
        var handed = SavedLinearFunction.Apply(kept, x, layer.weight!, layer.bias);
        Same.Bits(kept, handed, "output");
        handed.backward([upstream]);
        Same.Bits(expected[0], x.grad, "input gradient");
        Same.Bits(expected[1], layer.weight!.grad, "weight gradient");
        if (bias) Same.Bits(expected[2], layer.bias!.grad, "bias gradient");
    }
}
