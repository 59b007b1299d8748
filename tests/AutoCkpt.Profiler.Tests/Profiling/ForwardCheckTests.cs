using AutoCkpt.Formats.Errors;
using AutoCkpt.Profiler.Profiling;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests.Profiling;

/// <summary>
/// The forward check: on the profiling batch, the chain of stages must compute the model's own forward, and every
/// parameter the forward reaches must belong to a stage; otherwise a coded error names the first stage where they
/// part (or the parameter). The check leaves the random state and the buffers as it found them.
/// </summary>
public sealed class ForwardCheckTests
{
    [Theory]
    [InlineData(Flaw.ScaleBetween, ErrorCodes.StagesNotForward, "they part at stage 'b' (position 2 of 3), whose input differs", "gets stage 'a''s output")]
    [InlineData(Flaw.SkipBetween, ErrorCodes.StagesNotForward, "they part at stage 'c' (position 3 of 3), whose input differs", "gets stage 'b''s output")]
    [InlineData(Flaw.ScaleAfterLast, ErrorCodes.StagesNotForward, "its output differs from the last stage 'c''s output", "after the last stage")]
    [InlineData(Flaw.ListedTwice, ErrorCodes.StageCallCount, "stage 'b' is listed twice", "(at positions 2, 3 of 4) but its forward calls that module once")]
    [InlineData(Flaw.NeverCalled, ErrorCodes.StageCallCount, "stage 'unused' is listed once", "calls that module 0 times")]
    [InlineData(Flaw.LeftOut, ErrorCodes.StagesNotForward, "they part at stage 'c' (position 2 of 2), whose input differs", "parameters 'b.0.weight', 'b.0.bias'")]
    [InlineData(Flaw.OutOfOrder, ErrorCodes.StagesNotForward, "they part at stage 'c' (position 2 of 3), whose input differs", "stages out of order")]
    [InlineData(Flaw.DrawBetween, ErrorCodes.StagesNotForward, "they part at stage 'b' (position 2 of 3), whose output differs", "though its input is the same")]
    public void Given_stages_that_are_not_the_forward_When_checked_Then_a_coded_error_names_the_first_stage_where_they_part(
        Flaw flaw, string code, string where, string what)
    {
        var model = new StagedModel(flaw);
        model.train();
        var e = Assert.Throws<AckptException>(() => ForwardCheck.Run(model, model.Stages, StagedModel.Batch()));
        Assert.Equal(code, e.Code);
        Assert.Contains(where, e.Message);
        Assert.Contains(what, e.Message);
        Assert.Contains(nameof(StagedModel), e.Message);
    }

    [Fact]
    public void Given_stages_that_are_the_forward_with_batch_norm_and_dropout_When_checked_Then_it_passes()
    {
        var model = new StagedModel(Flaw.None);
        model.train();
        ForwardCheck.Run(model, model.Stages, StagedModel.Batch());
    }

    [Fact]
    public void Given_a_bare_root_parameter_that_a_stage_reads_When_checked_Then_ACKPT036_names_it()
    {
        var model = new BarePositionModel();
        var e = Assert.Throws<AckptException>(() => ForwardCheck.Run(model, model.Stages, BarePositionModel.Batch()));
        Assert.Equal(ErrorCodes.ParameterNotOwned, e.Code);
        Assert.Contains("reaches parameter 'pos_emb' that no stage owns", e.Message);
    }

    [Fact]
    public void Given_a_head_tied_to_the_embedding_through_a_delegate_When_checked_Then_it_passes()
    {
        var model = new TiedHeadModel();
        ForwardCheck.Run(model, model.Stages, BarePositionModel.Batch());
    }

    [Fact]
    public void Given_a_Sequential_When_checked_Then_its_children_are_its_forward()
    {
        torch.manual_seed(1);
        var model = nn.Sequential(("0", nn.Linear(4, 8)), ("1", nn.BatchNorm1d(8)), ("2", nn.Dropout(0.5)), ("3", nn.Linear(8, 2)));
        ForwardCheck.Run(model, ModelStages.Of(model), torch.randn(6, 4));
    }

    [Theory]
    [InlineData(Flaw.None)]
    [InlineData(Flaw.ScaleBetween)]
    public void Given_a_model_with_batch_norm_and_dropout_When_checked_Then_buffers_random_state_and_gradients_are_as_without_the_check(Flaw flaw)
    {
        var input = StagedModel.Batch();
        var (buffersWithout, drawWithout, _) = AfterwardState(new StagedModel(flaw), check: false, input);
        var (buffersWith, drawWith, grads) = AfterwardState(new StagedModel(flaw), check: true, input);
        Assert.Equal(buffersWithout.Count, buffersWith.Count);
        Assert.NotEmpty(buffersWith);
        for (int i = 0; i < buffersWith.Count; i++)
            Assert.True(buffersWithout[i].Equals(buffersWith[i]), $"buffer {i} changed by the check");
        Assert.True(drawWithout.Equals(drawWith), "the next random draw changed by the check");
        Assert.All(grads, Assert.Null);
    }

    [Fact]
    public void Given_tensors_When_compared_Then_only_a_difference_beyond_the_tolerance_or_in_kind_counts()
    {
        Assert.Null(ForwardCheck.Difference(tensor(new long[] { 1, 2 }), tensor(new long[] { 1, 2 })));
        Assert.Equal("different values", ForwardCheck.Difference(tensor(new long[] { 1, 3 }), tensor(new long[] { 1, 2 })));
        Assert.Null(ForwardCheck.Difference(tensor(new[] { float.NaN, 2f }), tensor(new[] { float.NaN, 2f })));
        Assert.Equal("NaN in other places than in the forward", ForwardCheck.Difference(tensor(new[] { 1f, 2f }), tensor(new[] { float.NaN, 2f })));
        Assert.Null(ForwardCheck.Difference(tensor(new[] { 1000.001f }), tensor(new[] { 1000f })));
        Assert.Equal("max |difference| 0.5, the forward's max |value| 1", ForwardCheck.Difference(tensor(new[] { 0.5f }), tensor(new[] { 1f })));
        Assert.StartsWith("shape [2]", ForwardCheck.Difference(tensor(new[] { 1f, 1f }), tensor(new[] { 1f })));
        Assert.StartsWith("dtype Float64", ForwardCheck.Difference(tensor(new[] { 1.0 }), tensor(new[] { 1f })));
    }

    /// <summary>
    /// Seeds, optionally runs the check, then reads what the next training step would see: every buffer, the next
    /// random draw, and the parameters' gradients (none yet).
    /// </summary>
    private static (List<Tensor> Buffers, Tensor Draw, List<Tensor?> Grads) AfterwardState(StagedModel model, bool check, Tensor input)
    {
        model.train();
        torch.manual_seed(42);
        if (check)
        {
            try
            {
                ForwardCheck.Run(model, model.Stages, input);
            }
            catch (AckptException)
            {
                // A failing check restores the state as well.
            }
        }
        return (model.buffers().Select(b => b.clone()).ToList(), torch.rand(16), model.parameters().Select(p => p.grad).ToList());
    }
}
