using AutoCkpt.Formats;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Memory;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests.Profiling;

/// <summary>Three Linear(D, D)+GELU blocks trained with Adam: every fixed and per-stage figure is known by hand.</summary>
public sealed class LinearGeluTarget : ICheckpointTarget
{
    public const int B = 32;
    public const int D = 512;

    public string Name => "linear-gelu";

    public nn.Module<Tensor, Tensor> CreateModel(Device device) => nn.Sequential(
        ("b0", nn.Sequential(nn.Linear(D, D), nn.GELU())),
        ("b1", nn.Sequential(nn.Linear(D, D), nn.GELU())),
        ("b2", nn.Sequential(nn.Linear(D, D), nn.GELU())));

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) => (randn(batchSize, D), randn(batchSize, D));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.mse_loss(output, target);

    public optim.Optimizer? CreateOptimizer(nn.Module model) => optim.Adam(model.parameters());
}

/// <summary>Linear, ReLU, Dropout: Dropout does not keep its input, so the chain frees the ReLU output it consumed.</summary>
internal sealed class ReluDropoutTarget : ICheckpointTarget
{
    public string Name => "relu-dropout";

    public nn.Module<Tensor, Tensor> CreateModel(Device device) => nn.Sequential(
        ("linear", nn.Linear(LinearGeluTarget.D, LinearGeluTarget.D)), ("relu", nn.ReLU()), ("dropout", nn.Dropout(0.1)));

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randn(batchSize, LinearGeluTarget.D), randn(batchSize, LinearGeluTarget.D));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.mse_loss(output, target);
}

/// <summary>gelu(gelu(x)) as user code often writes it: the intermediate's handle lives to the end of the step.</summary>
internal sealed class TwoGelus() : nn.Module<Tensor, Tensor>("two-gelus")
{
    public override Tensor forward(Tensor x) => nn.functional.gelu(nn.functional.gelu(x));
}

/// <summary>Linear, then <see cref="TwoGelus"/>, then GELU.</summary>
internal sealed class HeldGeluTarget : ICheckpointTarget
{
    public string Name => "held-gelu";

    public nn.Module<Tensor, Tensor> CreateModel(Device device) => nn.Sequential(
        ("linear", nn.Linear(LinearGeluTarget.D, LinearGeluTarget.D)), ("gelus", new TwoGelus()), ("gelu", nn.GELU()));

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randn(batchSize, LinearGeluTarget.D), randn(batchSize, LinearGeluTarget.D));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.mse_loss(output, target);
}

public sealed class ModelProfilerTests
{
    private const long T = LinearGeluTarget.B * LinearGeluTarget.D * 4L;
    private const long Params = 3L * (LinearGeluTarget.D * LinearGeluTarget.D + LinearGeluTarget.D) * 4;
    private const long Rounding = 4096 + 128;

    private static readonly Lazy<(Profile Profile, List<ProfilerStep> Steps)> Run = new(() =>
    {
        var steps = new List<ProfilerStep>();
        var profiler = new ModelProfiler(new Meter(new CpuMemoryProbe(), TimeProvider.System), new ListProgress(steps));
        var profile = profiler.Run(new LinearGeluTarget(), CPU, new DeviceInfo("cpu", "test"), new ProfileOptions(LinearGeluTarget.B, Repeats: 3));
        return (profile, steps);
    });

    [Fact]
    public void Given_a_Sequential_When_profiled_Then_the_profile_carries_the_runtime_fingerprint_of_the_same_model()
    {
        using var model = new LinearGeluTarget().CreateModel(CPU);

        Assert.Equal(ModelStages.Fingerprint(model), Run.Value.Profile.Model.Fingerprint);
        Assert.Equal(["b0", "b1", "b2"], Run.Value.Profile.Stages.Select(s => s.Name));
    }

    [Fact]
    public void Given_a_Sequential_When_profiled_Then_its_step_time_is_measured_in_whole_steps_with_and_without_recompute()
    {
        var stepTime = Run.Value.Profile.StepTime;
        Assert.NotNull(stepTime);
        Assert.True(stepTime.StepSeconds > 0, $"step {stepTime.StepSeconds} s");
        Assert.InRange(stepTime.RecomputeSegmentSeconds, 0, stepTime.StepSeconds);
        Assert.Contains(Run.Value.Steps, s => s.Phase == "step time");
    }

    [Fact]
    public void Given_Linear_GELU_blocks_When_profiled_Then_each_retains_its_hidden_activation_and_its_output()
    {
        foreach (var s in Run.Value.Profile.Stages.SkipLast(1))
        {
            Assert.Equal(T, s.OutputBytes);
            Assert.InRange(s.RetainedBytes, 2 * T, 2 * (T + Rounding) + 8192);
        }
    }

    [Fact]
    public void Given_the_last_stage_When_profiled_Then_it_also_retains_what_the_loss_keeps_for_its_backward()
    {
        var last = Run.Value.Profile.Stages[^1];

        // The last stage is measured through the loss, as a training step runs it: MSE keeps one activation-sized
        // tensor (about T) until the backward.
        Assert.Equal(T, last.OutputBytes);
        Assert.InRange(last.RetainedBytes, 2 * T + T / 2, 3 * (T + Rounding) + 8192);
    }

    [Fact]
    public void Given_a_stage_whose_handles_keep_its_activations_When_profiled_Then_its_output_gradient_counts_only_while_it_lives()
    {
        var profiler = new ModelProfiler(new Meter(new CpuMemoryProbe(), TimeProvider.System));
        // Transients are peaks, read from the resident-set high-water mark, which is exact to a few hundred KiB only:
        // activations of 4 MiB here.
        const int Rows = 2048;
        const long Big = Rows * LinearGeluTarget.D * 4L;
        var profile = profiler.Run(new HeldGeluTarget(), CPU, new DeviceInfo("cpu", "test"), new ProfileOptions(Rows, Repeats: 3));
        var gelus = profile.Stages[1];

        // Its backward makes g1 while the output gradient G lives, then G is consumed and freed, then it makes g0
        // while g1 lives: one activation above "just before" (which holds G, docs/cost-model.md). A G held by a
        // handle to the end of the backward, as a chain never holds it, read two.
        Assert.InRange(gelus.BackwardTransientBytes, Big * 0.9, Big * 1.15);
    }

    [Fact]
    public void Given_Adam_When_profiled_Then_fixed_memory_is_parameters_gradients_two_moments_and_the_batch()
    {
        var f = Run.Value.Profile.FixedBytes;

        Assert.Equal(Params, f.Parameters);
        Assert.Equal(Params, f.Gradients);
        Assert.InRange(f.OptimizerState, 2 * Params, 2 * Params + 12 * Rounding + 16384);
        Assert.Equal(2 * T, f.Batch);
    }

    [Fact]
    public void Given_a_model_whose_stages_keep_what_they_make_When_profiled_Then_the_memory_self_check_agrees_within_5_percent()
    {
        var p = Run.Value.Profile;

        Assert.NotNull(p.Check);
        Assert.InRange(SelfCheck.MemoryDisagreement(p)!.Value, 0, SelfCheck.MemoryTolerance);
        Assert.True(p.Check.StepSecondsMeasured > 0);
    }

    private static readonly Lazy<Profile> ReluDropout = new(() =>
        new ModelProfiler(new Meter(new CpuMemoryProbe(), TimeProvider.System))
            .Run(new ReluDropoutTarget(), CPU, new DeviceInfo("cpu", "test"), new ProfileOptions(LinearGeluTarget.B, Repeats: 3)));

    [Fact]
    public void Given_a_Linear_output_that_ReLU_does_not_keep_When_the_chain_runs_Then_ReLU_frees_its_input()
    {
        var relu = ReluDropout.Value.Stages[1];

        Assert.InRange(relu.InputFreedBytes, T, T + Rounding + 8192);
    }

    [Fact]
    public void Given_a_ReLU_output_that_ReLU_keeps_When_Dropout_consumes_it_Then_nothing_is_freed()
    {
        var p = ReluDropout.Value;

        Assert.InRange(p.Stages[2].InputFreedBytes, 0, 8192);
        Assert.Equal(0, p.Stages[0].InputFreedBytes);
    }

    [Fact]
    public void Given_stages_that_free_their_inputs_When_profiled_Then_retained_less_input_freed_matches_the_whole_forward()
    {
        var p = ReluDropout.Value;

        Assert.InRange(SelfCheck.MemoryDisagreement(p)!.Value, 0, SelfCheck.MemoryTolerance);
    }

    [Fact]
    public void Given_a_run_When_profiled_Then_progress_goes_forward_check_warm_up_then_each_stage_then_check_then_step_time()
    {
        Assert.Equal(["forward check", "warm-up", "stage:b0", "stage:b1", "stage:b2", "check", "step time"],
            Run.Value.Steps.Select(s => s.Stage is null ? s.Phase : $"{s.Phase}:{s.Stage}"));
    }

    [Fact]
    public void Given_a_run_When_profiled_Then_it_records_batch_size_dtype_and_device()
    {
        var p = Run.Value.Profile;

        Assert.Equal((LinearGeluTarget.B, "float32", "cpu", "linear-gelu"), (p.BatchSize, p.Dtype, p.Device.Type, p.Target));
    }

    private sealed class ListProgress(List<ProfilerStep> steps) : IProgress<ProfilerStep>
    {
        public void Report(ProfilerStep value) => steps.Add(value);
    }
}
