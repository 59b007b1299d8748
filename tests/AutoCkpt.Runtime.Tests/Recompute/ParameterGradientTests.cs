using AutoCkpt.Runtime.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Recompute;

/// <summary>
/// A recompute segment adds the gradients of parameters that already have one into <c>.grad</c> in its backward, and
/// hands autograd only those that have none (issue 15). Gradients set to none between the forward and the backward
/// must still arrive, bit-identical to the plain model's.
/// </summary>
public sealed class ParameterGradientTests
{
    [Theory]
    [InlineData("r0 r1 r2 r3")]
    [InlineData("r0-1 k2-3")]
    public void Given_gradients_set_to_none_after_the_forward_When_the_backward_runs_Then_they_equal_the_plain_models(string segments)
    {
        var batch = TestModels.Batches(1, 8, ScalarType.Float32)[0];
        var plain = Gradients(TestModels.Blocks(ScalarType.Float32), null, batch);
        var checkpointed = Gradients(TestModels.Blocks(ScalarType.Float32), segments, batch);

        Assert.Equal(plain.Count, checkpointed.Count);
        for (int i = 0; i < plain.Count; i++)
            Same.Bits(plain[i], checkpointed[i], $"gradient {i}");
    }

    private static List<Tensor> Gradients(nn.Module<Tensor, Tensor> model, string? segments, (Tensor Input, Tensor Target) batch)
    {
        nn.Module<Tensor, Tensor> run = segments is null ? model : AutoCkpt.Checkpointing.Apply(model, Plans.For(model, segments));
        using (var warm = NewDisposeScope())
            TestModels.MseLoss(run.call(batch.Input), batch.Target).backward(); // every parameter now has a .grad
        using var scope = NewDisposeScope();
        var loss = TestModels.MseLoss(run.call(batch.Input), batch.Target);
        model.zero_grad(set_to_none: true);
        loss.backward();
        return model.parameters().Select(p => p.grad!.clone().DetachFromDisposeScope()).ToList();
    }
}
