using AutoCkpt.Runtime.Tests.Support;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Recompute;

/// <summary>
/// A recurrent stage under recompute (issue 15's accuracy suite). libtorch's CPU LSTM runs another kernel when grad
/// is off (its inference path): its output differed from the training path's by up to 3.6e-7, so a recompute segment
/// whose forward ran without grad handed the next segment a different input, and the gradients were not the plain
/// model's. The segment's forward now runs with grad, each stage's output detached.
/// </summary>
public sealed class RecurrentEquivalenceTests
{
    private const int Steps = 2;

    [Theory]
    [InlineData("r0 r1 r2")]
    [InlineData("k0 r1 k2")]
    [InlineData("r0-1 k2")]
    public void Given_an_lstm_stage_When_trained_with_a_plan_Then_training_is_bit_identical(string segments)
    {
        var batches = Batches();
        using var expected = Trainer.Run(Model(), batches, TestModels.MseLoss);
        using var actual = Trainer.Run(AutoCkpt.Checkpointing.Apply(Model(), Plans.For(Model(), segments)), batches, TestModels.MseLoss);
        Same.Training(expected, actual);
    }

    private static nn.Module<Tensor, Tensor> Model()
    {
        torch.manual_seed(5);
        return nn.Sequential(("in", nn.Linear(32, 64)), ("lstm", new LstmStage(64)), ("out", nn.Linear(64, 32)));
    }

    private static IReadOnlyList<(Tensor Input, Tensor Target)> Batches()
    {
        torch.manual_seed(50);
        return [.. Enumerable.Range(0, Steps).Select(_ => (randn(8, 24, 32).DetachFromDisposeScope(), randn(8, 24, 32).DetachFromDisposeScope()))];
    }

    /// <summary>A one-layer LSTM over (batch, time, features); the output sequence.</summary>
    private sealed class LstmStage : nn.Module<Tensor, Tensor>
    {
        private readonly LSTM lstm;

        public LstmStage(int width) : base(nameof(LstmStage))
        {
            lstm = nn.LSTM(width, width, batchFirst: true);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var (y, h, c) = lstm.call(x, null);
            h.Dispose();
            c.Dispose();
            return y;
        }
    }
}
