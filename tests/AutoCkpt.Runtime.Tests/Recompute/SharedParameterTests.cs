using AutoCkpt.Runtime.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Recompute;

/// <summary>
/// A stage may use a parameter that another stage owns (a tied head reads the embedding's weight through a
/// delegate, or the other way round). Recomputed, that stage must still give the parameter its gradient: training is
/// bit-identical to the plain model, with the tie inside one recompute segment and across a keep/recompute boundary.
/// </summary>
public sealed class SharedParameterTests
{
    private const int Steps = 3;

    public static TheoryData<TieOwner, string> TiedPlans => new()
    {
        // Stages: embed, blocks.0, blocks.1, head. The tie is inside one recompute segment...
        { TieOwner.Embedding, "r0-3" },
        { TieOwner.Head, "r0-3" },
        // ...the user is recomputed and the owner kept...
        { TieOwner.Embedding, "k0-2 r3" },
        { TieOwner.Head, "r0 k1-3" },
        // ...the owner is recomputed and the user kept...
        { TieOwner.Embedding, "r0 k1-3" },
        { TieOwner.Head, "k0-2 r3" },
        // ...and both recomputed, in different segments.
        { TieOwner.Embedding, "r0-1 k2 r3" },
        { TieOwner.Head, "r0 r1 r2 r3" },
        // A bare root Parameter that no stage owns, read by both (the profiler refuses it with ACKPT036; a plan applied
        // anyway still trains right).
        { TieOwner.Root, "r0-3" },
        { TieOwner.Root, "r0 k1-2 r3" },
        { TieOwner.Root, "k0-2 r3" },
    };

    [Theory]
    [MemberData(nameof(TiedPlans))]
    public void Given_a_tied_head_When_trained_with_a_plan_Then_training_is_bit_identical(TieOwner owner, string segments)
    {
        var batches = TinyGpt.Batches(Steps);
        using var expected = Trainer.Run(new TiedGpt(owner), batches, TinyGpt.Loss);
        var model = new TiedGpt(owner);
        using var actual = Trainer.Run(AutoCkpt.Checkpointing.Apply(model, Plans.For(model, segments)), batches, TinyGpt.Loss);
        // The shared weight is the model's only [vocab, width] parameter: it got a gradient from both of its users.
        int shared = model.parameters().ToList().FindIndex(p => p.shape.SequenceEqual(new[] { TinyGpt.Vocab, 16L }));
        Assert.True(shared >= 0);
        Assert.NotNull(actual.Gradients[0][shared]);
        Same.Training(expected, actual);
    }
}
