using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Runtime.Tests.Support;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Tidy;

/// <summary>
/// Tidy kept units free every handle they made but their output as soon as they return; training stays
/// bit-identical, and tensors a module keeps in its fields for later stay alive.
/// </summary>
public sealed class TidyTests
{
    private const int Steps = 3;

    [Fact]
    public void Given_a_sequential_with_batch_norm_and_dropout_When_trained_tidy_Then_training_is_bit_identical()
    {
        var batches = TestModels.Batches(Steps, 32, float32);
        using var expected = Trainer.Run(TestModels.Mlp(float32), batches, TestModels.MseLoss);
        var tidy = AutoCkpt.Checkpointing.Tidy(TestModels.Mlp(float32));
        Assert.Equal(8, tidy.TidyStages.Count);
        using var actual = Trainer.Run(tidy, batches, TestModels.MseLoss);
        Same.Training(expected, actual);
    }

    [Theory]
    [InlineData("t0-4")]
    [InlineData("r0-1 t2 r3-4")]
    [InlineData("t0 r1-3 t4")]
    public void Given_a_staged_gpt_model_When_trained_with_tidy_units_Then_training_is_bit_identical(string segments)
    {
        var batches = TinyGpt.Batches(Steps);
        using var expected = Trainer.Run(new TinyGpt(), batches, TinyGpt.Loss);
        var plain = new TinyGpt();
        var model = AutoCkpt.Checkpointing.Apply(plain, Plans.For(plain, segments));
        Assert.Equal(Plans.Tidy(segments, 5).Count(t => t), model.TidyStages.Count);
        using var actual = Trainer.Run(model, batches, TinyGpt.Loss);
        Same.Training(expected, actual);
    }

    [Fact]
    public void Given_a_gpt_block_When_run_tidy_Then_the_step_holds_fewer_handles_after_the_forward()
    {
        var (input, _) = TinyGpt.Batches(1)[0];
        int Handles(nn.Module<Tensor, Tensor> model)
        {
            using var scope = torch.NewDisposeScope();
            model.call(input);
            return scope.DisposablesCount;
        }
        int plain = Handles(new TinyGpt());
        int tidy = Handles(AutoCkpt.Checkpointing.Tidy(new TinyGpt()));
        // Each block makes norm, up, gelu, down, dropout and the sum; tidy keeps only its output.
        Assert.True(tidy <= plain - 3 * 4, $"plain leaves {plain} handles, tidy {tidy}");
    }

    [Fact]
    public void Given_a_unit_that_caches_a_tensor_on_its_first_call_When_run_tidy_without_an_outer_scope_Then_later_calls_use_the_cache()
    {
        var (input, _) = TestModels.Batches(1, 16, float32)[0];
        var reference = CacheModel();
        var expected = Enumerable.Range(0, 3).Select(_ => reference.call(input)).ToList();
        var tidy = AutoCkpt.Checkpointing.Tidy(CacheModel());
        var cache = (CachingScale)ModelStages.Of(tidy.Model)[1].Module;
        for (int i = 0; i < 3; i++)
            Same.Bits(expected[i], tidy.call(input), $"output of call {i}");
        Assert.Equal(1, cache.Fills);
        Assert.False(cache.Cached!.IsInvalid);
    }

    [Fact]
    public void Given_a_unit_that_stores_an_auxiliary_loss_in_a_field_When_trained_tidy_Then_the_loss_is_read_after_the_forward_and_training_is_bit_identical()
    {
        var batches = TestModels.Batches(Steps, 32, float32);
        var reference = new AuxModel();
        using var expected = Trainer.Run(reference, batches, (output, target) => AuxModel.Loss(reference, output, target));
        var plain = new AuxModel();
        var tidy = AutoCkpt.Checkpointing.Tidy(plain);
        Assert.Contains("aux", tidy.TidyStages);
        using var actual = Trainer.Run(tidy, batches, (output, target) => AuxModel.Loss(plain, output, target));
        Same.Training(expected, actual);
    }

    [Fact]
    public void Given_a_unit_that_replaces_a_registered_buffer_in_its_forward_When_run_tidy_Then_the_new_buffer_lives_on()
    {
        var (input, _) = TestModels.Batches(1, 16, float32)[0];
        var reference = new RunningMean();
        var expected = Enumerable.Range(0, 3).Select(_ => reference.call(input)).ToList();
        var plain = new RunningMean();
        var tidy = AutoCkpt.Checkpointing.Tidy(nn.Sequential(("mean", plain)));
        for (int i = 0; i < 3; i++)
            Same.Bits(expected[i], tidy.call(input), $"output of call {i}");
        Assert.False(plain.Mean.IsInvalid);
        Same.Bits(reference.Mean, plain.Mean, "the replaced buffer");
    }

    [Fact]
    public void Given_a_module_class_marked_NoTidy_When_tidied_Then_its_unit_runs_as_it_is()
    {
        var model = AutoCkpt.Checkpointing.Tidy(CacheModel());
        Assert.DoesNotContain("opted", model.TidyStages);
        Assert.Equal(["0", "1"], model.TidyStages);
        Assert.False(model.Plan.IsTidy(2));
    }

    [Theory]
    [InlineData("blocks.*", "embed,head")]
    [InlineData("blocks", "embed,head")]
    [InlineData("head; blocks.1", "embed,blocks.0,blocks.2")]
    [InlineData("*", "")]
    public void Given_no_tidy_patterns_in_code_When_applied_Then_the_units_they_name_are_not_tidy(string patterns, string tidy)
    {
        var plain = new TinyGpt();
        var options = new CheckpointOptions { NoTidy = [patterns] };
        var model = AutoCkpt.Checkpointing.Apply(plain, Plans.For(plain, "t0-4"), options: options);
        Assert.Equal(tidy, string.Join(',', model.TidyStages));
        Assert.Equal(tidy, string.Join(',', AutoCkpt.Checkpointing.Tidy(new TinyGpt(), options).TidyStages));
    }

    [Theory]
    [InlineData("")]
    [InlineData("blocks.0,,head")]
    [InlineData("blocks 0")]
    public void Given_a_bad_no_tidy_pattern_When_applied_Then_ACKPT015(string pattern)
    {
        var e = Assert.Throws<AckptException>(() => AutoCkpt.Checkpointing.Tidy(new TinyGpt(), new CheckpointOptions { NoTidy = [pattern] }));
        Assert.Equal(ErrorCodes.BadNoTidyPattern, e.Code);
    }

    [Fact]
    public void Given_a_plan_whose_unit_path_differs_from_the_stage_name_When_applied_Then_ACKPT014_names_the_path()
    {
        var plain = new TinyGpt();
        var plan = Plans.For(plain, "t0-4");
        plan = plan with { UnitPaths = [.. plan.UnitPaths.Select(p => p == "blocks.1" ? "layers.1" : p)] };
        var e = Assert.Throws<AckptException>(() => AutoCkpt.Checkpointing.Apply(plain, plan, "x.plan.yaml"));
        Assert.Equal(ErrorCodes.PlanUnitPathMismatch, e.Code);
        Assert.Contains("'layers.1'", e.Message);
        Assert.Contains("'blocks.1'", e.Message);
    }

    [Fact]
    public void Given_a_plan_for_another_model_whose_paths_differ_When_applied_Then_ACKPT005_names_the_first_unit_that_differs()
    {
        var other = TestModels.Blocks(float32);
        var plan = Plans.For(other, "t0-3") with { Model = new ModelInfo("sha256:other", 5), UnitPaths = ["embed", "blocks.0", "x", "blocks.2", "head"] };
        var e = Assert.Throws<AckptException>(() => AutoCkpt.Checkpointing.Apply(new TinyGpt(), plan with { Segments = [new Segment(0, 4, SegmentStrategy.Keep)] }, "x.plan.yaml"));
        Assert.Equal(ErrorCodes.PlanFingerprintMismatch, e.Code);
        Assert.Contains("unit 2 is 'x'", e.Message);
        Assert.Contains("The first stage that differs is stage 2", e.Message);
        Assert.Contains("Profile this model again", e.Message);
    }

    private static nn.Module<Tensor, Tensor> CacheModel()
    {
        torch.manual_seed(3);
        return nn.Sequential(("0", nn.Linear(TestModels.Features, 16)), ("1", new CachingScale()), ("opted", new OptedOut()));
    }

    /// <summary>Scales its input by a tensor it makes on the first call and keeps (not detached from scopes).</summary>
    private sealed class CachingScale() : nn.Module<Tensor, Tensor>(nameof(CachingScale))
    {
        public Tensor? Cached;
        public int Fills;

        public override Tensor forward(Tensor x)
        {
            if (Cached is null)
            {
                Cached = torch.linspace(0.5, 1.5, x.shape[^1]) * 2;
                Fills++;
            }
            return x * Cached;
        }
    }

    /// <summary>
    /// Keeps a running mean of its inputs in a buffer field, registered at construction, that each forward replaces with
    /// a new tensor (TorchSharp refuses to register a name twice, so the field is what holds the current one).
    /// </summary>
    private sealed class RunningMean : nn.Module<Tensor, Tensor>
    {
        private Tensor mean = torch.zeros(TestModels.Features);

        public RunningMean() : base(nameof(RunningMean)) => register_buffer("mean", mean);

        public Tensor Mean => mean;

        public override Tensor forward(Tensor x)
        {
            using (torch.no_grad())
                mean = mean * 0.9 + x.mean([0]) * 0.1;
            return x - mean;
        }
    }

    [NoTidy]
    private sealed class OptedOut() : nn.Module<Tensor, Tensor>(nameof(OptedOut))
    {
        public override Tensor forward(Tensor x) => torch.tanh(x) * 2;
    }

    /// <summary>Three stages; the middle one stores an auxiliary loss in a field that the training loss reads.</summary>
    private sealed class AuxModel : nn.Module<Tensor, Tensor>, IStagedModel
    {
        private readonly Linear first;
        private readonly AuxLossUnit aux;
        private readonly Sequential last;

        public AuxModel() : base(nameof(AuxModel))
        {
            torch.manual_seed(5);
            first = nn.Linear(TestModels.Features, 16);
            aux = new AuxLossUnit();
            last = nn.Sequential(nn.Dropout(0.2), nn.Linear(16, TestModels.Outputs));
            RegisterComponents();
            Stages = [new("first", first), new("aux", aux), new("last", last)];
        }

        public IReadOnlyList<Stage> Stages { get; }

        public override Tensor forward(Tensor x) => last.call(aux.call(first.call(x)));

        public static Tensor Loss(AuxModel model, Tensor output, Tensor target) =>
            nn.functional.mse_loss(output, target) + 0.1 * model.aux.AuxLoss!;

        private sealed class AuxLossUnit : nn.Module<Tensor, Tensor>
        {
            private readonly BatchNorm1d norm;

            public AuxLossUnit() : base(nameof(AuxLossUnit))
            {
                norm = nn.BatchNorm1d(16);
                RegisterComponents();
            }

            public Tensor? AuxLoss { get; private set; }

            public override Tensor forward(Tensor x)
            {
                var h = torch.nn.functional.gelu(norm.call(x));
                AuxLoss = (h * h).mean();
                return h * 0.5;
            }
        }
    }
}
