using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Runtime.Tests.Support;
using AutoCkpt.Units;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.InPlace;

/// <summary>
/// How a plan applied in place behaves around the training step: an exception inside a unit, units that do not run
/// once per forward, applying twice, removing and swapping, segments that are not chains, plans by module path.
/// </summary>
public sealed class InPlaceBehaviourTests
{
    [Theory]
    [InlineData("every")]
    [InlineData("r0-2")]
    [InlineData("t0-2")]
    public void Given_a_unit_that_throws_in_its_forward_When_the_exception_is_caught_Then_grad_mode_scopes_and_later_steps_are_as_without_the_plan(string plan)
    {
        var batches = TestModels.Batches(4, 16, float32);
        using var expected = TrainThroughAnException(Throwing(out _), batches, checkThread: false);
        var model = Throwing(out var thrower);
        model = plan == "every" ? AutoCkpt.Checkpointing.EveryUnit(model) : AutoCkpt.Checkpointing.Apply(model, Plans.For(model, plan));
        using var actual = TrainThroughAnException(model, batches, checkThread: true);
        Same.Training(expected, actual);
        Assert.True(thrower.Threw);
        Assert.Equal(3, model.Info().CheckedSteps); // the step that threw is not one
    }

    [Fact]
    public void Given_a_planned_unit_run_through_forward_When_the_model_is_called_Then_ACKPT107_names_it()
    {
        var model = AutoCkpt.Checkpointing.EveryUnit(new Looping(Looping.Kind.DirectForward));
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<AckptException>(() => model.call(torch.randn(2, 4)));
        Assert.Equal(ErrorCodes.UnitFiredWrongly, e.Code);
        Assert.Contains("unit 'blocks.1' ran 0 times", e.Message);
        Assert.Contains("call()", e.Message);
    }

    [Fact]
    public void Given_a_planned_unit_called_twice_When_the_model_is_called_Then_ACKPT107_names_it()
    {
        var model = AutoCkpt.Checkpointing.EveryUnit(new Looping(Looping.Kind.Twice));
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<AckptException>(() => model.call(torch.randn(2, 4)));
        Assert.Equal(ErrorCodes.UnitFiredWrongly, e.Code);
        Assert.Contains("unit 'blocks.2' ran 2 times", e.Message);
    }

    [Fact]
    public void Given_a_plan_applied_When_another_is_applied_Then_ACKPT106_and_after_Remove_the_swap_works()
    {
        var model = new LlamaLike(BlockInputs.Mask);
        AutoCkpt.Checkpointing.EveryUnit(model);
        var e = Assert.Throws<AckptException>(() => AutoCkpt.Checkpointing.Uniform(model, 2));
        Assert.Equal(ErrorCodes.PlanAlreadyApplied, e.Code);
        Assert.Equal(3, model.Info().RecomputedUnits); // the refused plan changed nothing

        Assert.True(AutoCkpt.Checkpointing.Remove(model));
        Assert.Null(AutoCkpt.Checkpointing.Applied(model));
        Assert.False(AutoCkpt.Checkpointing.Remove(model));
        AutoCkpt.Checkpointing.Apply(model, Plans.For(model, "r0-1 k2"));
        Assert.Equal(2, model.Info().RecomputedUnits);
    }

    [Fact]
    public void Given_a_plan_removed_When_trained_Then_no_hook_is_left_and_training_is_the_plain_models()
    {
        var batches = Enumerable.Range(0, 2).Select(i => LlamaLike.Batch(10 + i)).ToList();
        using var expected = Trainer.Run(new LlamaLike(BlockInputs.Rotary), batches, LlamaLike.Loss);
        var model = AutoCkpt.Checkpointing.EveryUnit(new LlamaLike(BlockInputs.Rotary));
        AutoCkpt.Checkpointing.Remove(model);
        int calls = 0;
        ((nn.Module<Tensor, Tensor, Tensor, Tensor>)model.Blocks[0]).register_forward_hook(_ => calls++);
        using var actual = Trainer.Run(model, batches, LlamaLike.Loss);
        Same.Training(expected, actual);
        Assert.Equal(2, calls); // once per step: nothing recomputes it
    }

    [Fact]
    public void Given_a_plan_whose_segment_continues_past_an_output_used_later_When_applied_Then_ACKPT017_and_nothing_is_hooked()
    {
        var model = new Looping(Looping.Kind.Parallel);
        var plan = Plans.For(model, "r0-1 k2") with { UsedLaterUnits = [true, false, false] };
        var e = Assert.Throws<AckptException>(() => AutoCkpt.Checkpointing.Apply(model, plan));
        Assert.Equal(ErrorCodes.SegmentPastUsedOutput, e.Code);
        Assert.Contains("'blocks.0'", e.Message);
        Assert.Null(AutoCkpt.Checkpointing.Applied(model)); // nothing half-applied
        // Ending the segment there is fine.
        AutoCkpt.Checkpointing.Apply(model, Plans.For(model, "r0 r1 k2") with { UsedLaterUnits = [true, false, false] });
        AutoCkpt.Checkpointing.Remove(model);
    }

    [Fact]
    public void Given_a_multi_unit_segment_over_blocks_that_all_take_the_model_input_When_trained_Then_ACKPT108_at_the_step_and_one_unit_segments_work()
    {
        var model = AutoCkpt.Checkpointing.Apply(new Looping(Looping.Kind.Parallel), Plans.For(new Looping(Looping.Kind.Parallel), "r0-1 k2"));
        using (torch.NewDisposeScope())
        {
            var e = Assert.Throws<AckptException>(() => model.call(torch.randn(2, 4)));
            Assert.Equal(ErrorCodes.SegmentNotChained, e.Code);
            Assert.Contains("unit blocks.1 was not given unit blocks.0's output", e.Message);
        }
        AutoCkpt.Checkpointing.Remove(model);
        var batches = TestModels.Batches(2, 8, float32).Select(b => (b.Input[.., ..4].contiguous(), b.Target[.., ..4].contiguous())).ToList();
        using var expected = Trainer.Run(new Looping(Looping.Kind.Parallel), batches, TestModels.MseLoss);
        using var actual = Trainer.Run(AutoCkpt.Checkpointing.EveryUnit(model), batches, TestModels.MseLoss);
        Same.Training(expected, actual);
    }

    [Fact]
    public void Given_a_plan_made_with_unit_patterns_When_applied_without_them_Then_its_paths_name_the_units()
    {
        var model = new LlamaLike(BlockInputs.Rotary, blocks: 2);
        var units = UnitFinder.Find(model, ["layers.*.layers.qkv"]);
        var plan = PlanFor(units, "r0 r1");
        AutoCkpt.Checkpointing.Apply(model, plan);
        Assert.Equal(["layers.0.layers.qkv", "layers.1.layers.qkv"], model.Info().Units.Paths);
    }

    [Fact]
    public void Given_a_plan_path_that_is_not_a_module_When_applied_Then_ACKPT104_names_it()
    {
        var model = new Pair();
        var plan = PlanFor(UnitFinder.Find(model, ["a", "b"]), "k0-1") with { UnitPaths = ["a", "c"] };
        var e = Assert.Throws<AckptException>(() => AutoCkpt.Checkpointing.Apply(model, plan, "x.plan.yaml"));
        Assert.Equal(ErrorCodes.PlanUnitPathNotFound, e.Code);
        Assert.Contains("'c'", e.Message);
        Assert.Null(AutoCkpt.Checkpointing.Applied(model));
    }

    [Fact]
    public void Given_a_plan_path_that_is_now_a_container_When_applied_Then_ACKPT105()
    {
        var model = new Pair();
        var plan = PlanFor(UnitFinder.Find(model, ["a", "b"]), "k0-1") with { UnitPaths = ["a", "mixed"] };
        var e = Assert.Throws<AckptException>(() => AutoCkpt.Checkpointing.Apply(model, plan, "x.plan.yaml"));
        Assert.Equal(ErrorCodes.PlanUnitTypeChanged, e.Code);
        Assert.Contains("'mixed'", e.Message);
    }

    [Fact]
    public void Given_units_that_nest_When_applied_Then_ACKPT109()
    {
        var model = new LlamaLike(BlockInputs.Rotary, blocks: 2);
        var units = new ModelUnits([new Unit("layers.0", model.Blocks[0]), new Unit("layers.0.layers.qkv", UnitFinder.Find(model, ["layers.0.layers.qkv"]).Units[0].Module)], UnitSource.Patterns, "");
        var e = Assert.Throws<AckptException>(() => AutoCkpt.Checkpointing.Apply(model, PlanFor(units, "k0-1")));
        Assert.Equal(ErrorCodes.UnitsOverlap, e.Code);
    }

    [Fact]
    public void Given_a_recomputed_unit_that_returns_a_tuple_When_applied_Then_ACKPT103()
    {
        var model = new Pair();
        var e = Assert.Throws<AckptException>(() => AutoCkpt.Checkpointing.EveryUnit(model, new CheckpointOptions { Units = ["a", "split"] }));
        Assert.Equal(ErrorCodes.UnitOutputUnsupported, e.Code);
        Assert.Contains("'split'", e.Message);
    }

    private static Plan PlanFor(ModelUnits units, string segments) => new()
    {
        Target = "test",
        Model = new ModelInfo(units.Fingerprint, units.Count),
        Device = new DeviceInfo("cpu", "test CPU"),
        BatchSize = 8,
        MemoryCapBytes = 1_000_000,
        Segments = Plans.Parse(segments),
        UnitPaths = units.Paths,
        TidyUnits = Plans.Tidy(segments, units.Count),
    };

    /// <summary>
    /// Trains 4 steps, the second of which throws inside the thrower unit and is caught; with
    /// <paramref name="checkThread"/>, checks right after the catch that grad mode is on and that the step's scope is
    /// still the current one.
    /// </summary>
    private static TrainingTrace TrainThroughAnException(nn.Module<Tensor, Tensor> model, IReadOnlyList<(Tensor Input, Tensor Target)> batches, bool checkThread)
    {
        var trace = new TrainingTrace();
        model.train();
        using var optimizer = torch.optim.SGD(model.parameters(), 0.05, momentum: 0.9);
        torch.manual_seed(Trainer.DropoutSeed);
        for (int step = 0; step < batches.Count; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var (input, target) = batches[step];
            Thrower.Armed = step == 1;
            if (step == 1)
            {
                Assert.Throws<InvalidOperationException>(() => model.call(input));
                Thrower.Armed = false;
                if (!checkThread) continue;
                Assert.True(torch.is_grad_enabled());
                var probe = torch.zeros(1);
                Assert.True(scope.Contains(probe), "a tensor made after the exception belongs to the step's scope");
                continue;
            }
            var l = TestModels.MseLoss(model.call(input), target);
            l.backward();
            trace.Losses.Add(l.detach().clone().DetachFromDisposeScope());
            trace.Gradients.Add(model.parameters().Select(p => p.grad is { } g ? g.detach().clone().DetachFromDisposeScope() : null).ToList());
            optimizer.step();
        }
        trace.Parameters.AddRange(model.parameters().Select(p => p.detach().clone().DetachFromDisposeScope()));
        trace.RngStateAfter = torch.get_rng_state().DetachFromDisposeScope();
        return trace;
    }

    private static nn.Module<Tensor, Tensor> Throwing(out Thrower thrower)
    {
        torch.manual_seed(7);
        thrower = new Thrower();
        return nn.Sequential(("0", nn.Sequential(nn.Linear(TestModels.Features, 16), nn.Dropout(0.2))), ("1", thrower), ("2", nn.Linear(16, TestModels.Outputs)));
    }

    /// <summary>A unit whose forward makes tensors, then throws while <see cref="Armed"/>.</summary>
    private sealed class Thrower : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear linear = nn.Linear(16, 16);

        public Thrower() : base(nameof(Thrower)) => RegisterComponents();

        public static bool Armed { get; set; }
        public bool Threw { get; private set; }

        public override Tensor forward(Tensor x)
        {
            var h = nn.functional.gelu(linear.call(x));
            if (Armed)
            {
                Threw = true;
                throw new InvalidOperationException("out of memory (simulated)");
            }
            return h;
        }
    }

    /// <summary>A ModuleList of three Linear(4, 4) blocks, called in one of several ways.</summary>
    private sealed class Looping : nn.Module<Tensor, Tensor>
    {
        public enum Kind { DirectForward, Twice, Parallel }

        private readonly TorchSharp.Modules.ModuleList<TorchSharp.Modules.Linear> blocks;
        private readonly Kind _kind;

        public Looping(Kind kind) : base(nameof(Looping))
        {
            torch.manual_seed(11);
            _kind = kind;
            blocks = new TorchSharp.Modules.ModuleList<TorchSharp.Modules.Linear>(nn.Linear(4, 4), nn.Linear(4, 4), nn.Linear(4, 4));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => _kind switch
        {
            Kind.DirectForward => blocks[2].call(blocks[1].forward(blocks[0].call(x))),
            Kind.Twice => blocks[2].call(blocks[2].call(blocks[1].call(blocks[0].call(x)))),
            _ => blocks[2].call(nn.functional.tanh(blocks[0].call(x)) + blocks[1].call(x)),
        };
    }

    /// <summary>Two Linear children, a ModuleList of mixed modules and a child that returns a tuple: no units of its own.</summary>
    private sealed class Pair : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear a = nn.Linear(4, 4);
        private readonly TorchSharp.Modules.Linear b = nn.Linear(4, 4);
        private readonly TorchSharp.Modules.ModuleList<nn.Module> mixed = new(nn.ReLU(), nn.Linear(4, 4));
        private readonly Split split = new();

        public Pair() : base(nameof(Pair)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            var (l, r) = split.call(a.call(x));
            return b.call(l * r);
        }
    }

    private sealed class Split : nn.Module<Tensor, (Tensor, Tensor)>
    {
        public Split() : base(nameof(Split)) { }

        public override (Tensor, Tensor) forward(Tensor x) => (x.tanh(), x.sigmoid());
    }
}
