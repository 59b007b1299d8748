using AutoCkpt.Runtime.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Recompute;

/// <summary>
/// Training with a plan must be bit-identical to training the plain model on CPU: losses, gradients at every step,
/// parameters, buffers (BatchNorm running statistics) and the CPU random stream (dropout).
/// </summary>
public sealed class EquivalenceTests
{
    private const int Steps = 3;

    public static TheoryData<string, string> MlpPlans => new()
    {
        { "float32", "r0 r1 r2 r3 r4 r5 r6 r7" },
        { "float64", "r0 r1 r2 r3 r4 r5 r6 r7" },
        { "float32", "r0-2 k3-4 r5-7" },
        { "float64", "r0-2 k3-4 r5-7" },
        { "float32", "k0-1 r2-6 k7" },
        { "float32", "r0-7" },
    };

    [Theory]
    [MemberData(nameof(MlpPlans))]
    public void Given_a_sequential_with_batch_norm_and_dropout_When_trained_with_a_plan_Then_training_is_bit_identical(string dtype, string segments)
    {
        var type = dtype == "float64" ? float64 : float32;
        var batches = TestModels.Batches(Steps, 32, type);
        using var expected = Trainer.Run(TestModels.Mlp(type), batches, TestModels.MseLoss);
        using var actual = TrainCheckpointed(TestModels.Mlp(type), segments, batches, TestModels.MseLoss);
        Same.Training(expected, actual);
    }

    [Theory]
    [InlineData("float32")]
    [InlineData("float64")]
    public void Given_multi_op_stages_When_every_stage_is_recomputed_Then_training_is_bit_identical(string dtype)
    {
        var type = dtype == "float64" ? float64 : float32;
        var batches = TestModels.Batches(Steps, 32, type);
        using var expected = Trainer.Run(TestModels.Blocks(type), batches, TestModels.MseLoss);
        using var actual = TrainCheckpointed(TestModels.Blocks(type), "r0 r1 r2 r3", batches, TestModels.MseLoss);
        Same.Training(expected, actual);
    }

    [Fact]
    public void Given_a_first_segment_fed_by_a_batch_without_grad_When_it_is_recomputed_Then_its_parameters_get_the_plain_gradients()
    {
        var batches = TestModels.Batches(Steps, 32, float32);
        Assert.False(batches[0].Input.requires_grad);
        using var expected = Trainer.Run(TestModels.Mlp(float32), batches, TestModels.MseLoss);
        using var actual = TrainCheckpointed(TestModels.Mlp(float32), "r0-1 k2-7", batches, TestModels.MseLoss);
        // Parameters 0 and 1 are the first Linear's weight and bias, both in the recomputed first segment.
        for (int step = 0; step < Steps; step++)
            for (int p = 0; p < 2; p++)
            {
                Assert.NotNull(actual.Gradients[step][p]);
                Assert.True(actual.Gradients[step][p]!.abs().sum().item<float>() > 0);
            }
        Same.Gradients(expected, actual);
    }

    [Theory]
    [InlineData("r0 r1 r2 r3 r4")]
    [InlineData("r0-1 k2 r3-4")]
    [InlineData("k0 r1-3 k4")]
    public void Given_a_staged_gpt_model_When_trained_with_a_plan_Then_training_is_bit_identical(string segments)
    {
        var batches = TinyGpt.Batches(Steps);
        using var expected = Trainer.Run(new TinyGpt(), batches, TinyGpt.Loss);
        using var actual = TrainCheckpointed(new TinyGpt(), segments, batches, TinyGpt.Loss);
        Same.Training(expected, actual);
    }

    [Fact]
    public void Given_a_plan_When_the_model_runs_without_grad_in_eval_mode_Then_its_output_equals_the_plain_model()
    {
        var (input, _) = TestModels.Batches(1, 16, float32)[0];
        var plain = TestModels.Mlp(float32);
        var model = AutoCkpt.Checkpointing.Apply(plain, Plans.EveryStage(plain));
        model.eval();
        Assert.False(plain.training);
        using var scope = torch.NewDisposeScope();
        var reference = TestModels.Mlp(float32);
        reference.eval();
        using (torch.no_grad())
            Same.Bits(reference.call(input), model.call(input), "eval output");
    }

    /// <summary>
    /// Trains <paramref name="plain"/> with the plan <paramref name="segments"/>, and checks through forward hooks
    /// that the plan really ran: each recomputed stage twice per step, each kept stage once.
    /// </summary>
    private static TrainingTrace TrainCheckpointed(
        nn.Module<Tensor, Tensor> plain, string segments,
        IReadOnlyList<(Tensor Input, Tensor Target)> batches, Func<Tensor, Tensor, Tensor> loss)
    {
        var plan = Plans.For(plain, segments);
        int calls = 0;
        foreach (var stage in ModelStages.Of(plain))
            stage.Module.register_forward_hook((m, input, output) => { calls++; return output; });
        var trace = Trainer.Run(AutoCkpt.Checkpointing.Apply(plain, plan), batches, loss);
        int perStep = plan.Model.Stages + plan.Segments.Where(s => s.Strategy == AutoCkpt.Formats.Plans.SegmentStrategy.Recompute).Sum(s => s.Length);
        Assert.Equal(batches.Count * perStep, calls);
        return trace;
    }
}
