using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Runtime.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Apply;

/// <summary>Every bad plan is refused with its code and file, before the model is touched.</summary>
public sealed class ApplyValidationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("autockpt-apply-").FullName;
    private readonly nn.Module<Tensor, Tensor> _model = TestModels.Mlp(float32);
    private readonly ModelSnapshot _before;

    public ApplyValidationTests() => _before = new ModelSnapshot(_model);

    public void Dispose()
    {
        _before.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Given_no_plan_file_When_applied_Then_ACKPT001_names_the_file()
    {
        string path = Path.Combine(_dir, "absent.plan.yaml");
        AssertRefused(ErrorCodes.PlanMissing, path, () => AutoCkpt.Checkpointing.Apply(_model, path));
    }

    [Fact]
    public void Given_malformed_yaml_When_applied_Then_ACKPT002()
    {
        string path = Write("format: autockpt-plan/1\nsegments: [ { first: 0, last: 7\n");
        AssertRefused(ErrorCodes.PlanMalformed, path, () => AutoCkpt.Checkpointing.Apply(_model, path));
    }

    [Fact]
    public void Given_an_unknown_format_When_applied_Then_ACKPT003()
    {
        string path = Write(PlanFile.Format(Plans.EveryStage(_model)).Replace(Plan.FormatTag, "autockpt-plan/9"));
        AssertRefused(ErrorCodes.PlanUnknownFormat, path, () => AutoCkpt.Checkpointing.Apply(_model, path));
    }

    [Theory]
    [InlineData("r0-3 r3-7")] // overlap
    [InlineData("r0-2 k4-7")] // gap
    [InlineData("r0-3 k4-8")] // past the last stage
    public void Given_bad_segments_in_a_file_When_applied_Then_ACKPT004(string segments)
    {
        string path = Write(PlanFile.Format(Plans.EveryStage(_model) with { Segments = Plans.Parse(segments) }));
        AssertRefused(ErrorCodes.PlanBadSegments, path, () => AutoCkpt.Checkpointing.Apply(_model, path));
    }

    [Fact]
    public void Given_bad_segments_in_an_in_memory_plan_When_applied_Then_ACKPT004_names_the_given_file()
    {
        var plan = Plans.EveryStage(_model) with { Segments = Plans.Parse("r0-3 r5-7") };
        AssertRefused(ErrorCodes.PlanBadSegments, "bench.plan", () => AutoCkpt.Checkpointing.Apply(_model, plan, "bench.plan"));
    }

    [Fact]
    public void Given_a_plan_for_another_model_of_the_same_length_When_applied_Then_ACKPT005_says_how_to_regenerate()
    {
        string path = Write(PlanFile.Format(Plans.EveryStage(TestModels.Mlp(float32, hidden: 32))));
        var e = AssertRefused(ErrorCodes.PlanFingerprintMismatch, path, () => AutoCkpt.Checkpointing.Apply(_model, path));
        Assert.Contains("autockpt plan", e.Message);
        Assert.Contains(ModelStages.Fingerprint(_model), e.Message);
    }

    [Fact]
    public void Given_a_plan_for_a_model_with_another_stage_count_When_applied_Then_ACKPT006_names_both_counts()
    {
        string path = Write(PlanFile.Format(Plans.EveryStage(TestModels.Blocks(float32))));
        var e = AssertRefused(ErrorCodes.PlanStageCountMismatch, path, () => AutoCkpt.Checkpointing.Apply(_model, path));
        Assert.Contains("4 stages", e.Message);
        Assert.Contains("has 8", e.Message);
        Assert.Contains("autockpt plan", e.Message);
    }

    [Fact]
    public void Given_an_unknown_strategy_When_applied_Then_ACKPT009()
    {
        string path = Write(PlanFile.Format(Plans.For(_model, "r0-7")).Replace("strategy: recompute", "strategy: offload"));
        AssertRefused(ErrorCodes.PlanUnknownStrategy, path, () => AutoCkpt.Checkpointing.Apply(_model, path));
    }

    [Fact]
    public void Given_a_model_that_is_not_staged_When_applied_Then_ACKPT008()
    {
        var model = nn.Linear(2, 2);
        var e = Assert.Throws<AckptException>(() => AutoCkpt.Checkpointing.Apply(model, Plans.KeepAll(_model)));
        Assert.Equal(ErrorCodes.ModelNotStaged, e.Code);
    }

    [Fact]
    public void Given_a_model_that_is_not_staged_When_a_plan_file_is_applied_Then_ACKPT008_names_the_plan_file()
    {
        string path = Write(PlanFile.Format(Plans.KeepAll(_model)));
        var e = AssertRefused(ErrorCodes.ModelNotStaged, path, () => AutoCkpt.Checkpointing.Apply(nn.Linear(2, 2), path));
        Assert.StartsWith($"{path}: error ACKPT008:", e.ToString());
    }

    [Fact]
    public void Given_a_plan_for_a_model_whose_stage_names_match_When_applied_Then_ACKPT005_says_a_type_or_shape_differs_and_to_profile_again()
    {
        string path = Write(PlanFile.Format(Plans.EveryStage(TestModels.Mlp(float32, hidden: 32))));
        var e = AssertRefused(ErrorCodes.PlanFingerprintMismatch, path, () => AutoCkpt.Checkpointing.Apply(_model, path));
        Assert.Contains("Every stage has the name the plan gives it, so a stage's module type or parameter shapes differ", e.Message);
        Assert.Contains("Profile this model again ('autockpt profile'", e.Message);
        Assert.Contains("rebuilding alone plans from the old profile", e.Message);
    }

    [Fact]
    public void Given_a_plan_profiled_at_batch_4_When_the_first_input_is_larger_Then_ACKPT016_warns_once_with_both_shapes()
    {
        string path = Write(PlanFile.Format(Plans.For(_model, "r0-7") with { InputShape = [4, TestModels.Features], ProfilePath = "mlp.profile.yaml" }));
        var warnings = new List<string>();
        var model = AutoCkpt.Checkpointing.Apply(_model, path, warnings.Add);

        using (torch.NewDisposeScope()) model.call(torch.randn(8, TestModels.Features));
        using (torch.NewDisposeScope()) model.call(torch.randn(16, TestModels.Features));

        var warning = Assert.Single(warnings);
        Assert.StartsWith($"{path}: warning {ErrorCodes.InputLargerThanProfiled}:", warning);
        Assert.Contains("[8, 8]", warning);
        Assert.Contains("[4, 8]", warning);
        Assert.Contains("'mlp.profile.yaml'", warning);
    }

    [Fact]
    public void Given_a_plan_profiled_at_batch_4_When_the_input_is_smaller_or_the_plan_has_no_shape_Then_nothing_warns()
    {
        var warnings = new List<string>();
        var smaller = AutoCkpt.Checkpointing.Apply(_model, Write(PlanFile.Format(Plans.For(_model, "r0-7") with { InputShape = [4, TestModels.Features] })), warnings.Add);
        using (torch.NewDisposeScope()) smaller.call(torch.randn(2, TestModels.Features));
        var unknown = AutoCkpt.Checkpointing.Apply(_model, Plans.For(_model, "r0-7"), "old.plan.yaml", warnings.Add);
        using (torch.NewDisposeScope()) unknown.call(torch.randn(64, TestModels.Features));

        Assert.Empty(warnings);
    }

    [Fact]
    public void Given_a_plan_made_for_cuda_When_applied_to_a_cpu_model_Then_it_applies_with_warning_ACKPT007()
    {
        string path = Write(PlanFile.Format(Plans.For(_model, "r0-7", deviceType: "cuda")));
        var warnings = new List<string>();
        var model = AutoCkpt.Checkpointing.Apply(_model, path, warnings.Add);
        var warning = Assert.Single(warnings);
        Assert.StartsWith($"{path}: warning {ErrorCodes.PlanDeviceMismatch}:", warning);
        Assert.Contains("'cuda'", warning);
        Assert.Equal(8, model.RecomputedStages);
    }

    [Fact]
    public void Given_a_plan_for_this_device_When_applied_Then_nothing_is_warned()
    {
        string path = Write(PlanFile.Format(Plans.EveryStage(_model)));
        var warnings = new List<string>();
        AutoCkpt.Checkpointing.Apply(_model, path, warnings.Add);
        Assert.Empty(warnings);
    }

    private AckptException AssertRefused(string code, string file, Func<CheckpointedModel> apply)
    {
        var e = Assert.Throws<AckptException>(apply);
        Assert.Equal(code, e.Code);
        Assert.Equal(file, e.File);
        Assert.Contains(file, e.ToString());
        _before.AssertUnchanged(_model);
        return e;
    }

    private string Write(string text)
    {
        string path = Path.Combine(_dir, $"{Guid.NewGuid():N}.plan.yaml");
        File.WriteAllText(path, text);
        return path;
    }
}
