using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Profiler.Tests.InPlace;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests;

public sealed class StepProfilerTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("autockpt-steps-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Given_an_apps_own_training_loop_When_profiled_Then_the_profile_file_reads_back_with_units_keep_only_entries_and_optimizer_state()
    {
        manual_seed(1);
        using var model = new TinyDecoder();
        using var optimizer = optim.AdamW(model.parameters());
        var target = new TinyDecoderTarget();
        int steps = 0;
        string path = Path.Combine(dir, "sub", "tiny.profile.yaml");

        // The app's own step, as it is written in its training loop.
        void Step()
        {
            var (x, y) = target.CreateBatch(CPU, 8);
            optimizer.zero_grad();
            target.Loss(model.call(x), y).backward();
            optimizer.step();
            steps++;
        }

        var warnings = new List<string>();
        var profile = StepProfiler.Profile(model, Step, path, new StepProfileOptions { Repeats = 2, Name = "tiny", Optimizer = optimizer, OnWarning = warnings.Add });

        var read = ProfileFile.Read(path);
        Assert.Equal(["(before layers.0)", "layers.0", "layers.1", "layers.2", "(after layers.2)"], read.Stages.Select(s => s.Name));
        Assert.Equal(profile.Model.Fingerprint, read.Model.Fingerprint);
        Assert.Equal(AutoCkpt.Units.UnitFinder.Find(model).Fingerprint, read.Model.Fingerprint);
        Assert.Equal("tiny", read.Target);
        Assert.Equal([8L, TinyDecoderTarget.Tokens], read.InputShape);
        Assert.Equal(1 + 1 + 1 + 2 + 2, steps); // a warm-up for the fixed bytes, one that copies inputs, one that finds outputs used later, 2 measured, 2 plain for the check
        long parameters = model.parameters().Sum(p => p.numel()) * 4;
        Assert.Equal(parameters, read.FixedBytes.Parameters);
        // AdamW keeps two moments per parameter, made when the optimizer is created (TorchSharp's add_param_group), read
        // from the optimizer: exactly twice the parameters' bytes, whatever ran in the process before.
        Assert.Equal(2 * parameters, read.FixedBytes.OptimizerState);
        Assert.DoesNotContain(warnings, w => w.Contains($"warning {ErrorCodes.OptimizerStateUnread}:"));
        // The target path (OptimizerState: growth over creating AdamW and its first step) holds the same moments.
        var viaTarget = new AutoCkpt.Profiler.Profiling.ModelProfiler(new AutoCkpt.Profiler.Measuring.Meter(new AutoCkpt.Memory.CpuMemoryProbe(), TimeProvider.System))
            .Run(target, CPU, new DeviceInfo("cpu", "test"), new AutoCkpt.Profiler.Profiling.ProfileOptions(8, Repeats: 1));
        Assert.InRange(read.FixedBytes.OptimizerState, 1, (long)(1.05 * viaTarget.FixedBytes.OptimizerState));
        Assert.All(read.Stages, s => Assert.True(s.ForwardSeconds > 0, s.Name));
    }

    [Fact]
    public void Given_no_optimizer_When_profiled_Then_warning_ACKPT113_says_its_state_is_read_from_the_first_steps_growth()
    {
        using var model = new TinyDecoder();
        using var optimizer = optim.AdamW(model.parameters());
        var target = new TinyDecoderTarget();
        var warnings = new List<string>();

        StepProfiler.Profile(model, () =>
        {
            var (x, y) = target.CreateBatch(CPU, 4);
            optimizer.zero_grad();
            target.Loss(model.call(x), y).backward();
            optimizer.step();
        }, Path.Combine(dir, "no-optimizer.profile.yaml"), new StepProfileOptions { Repeats = 1, OnWarning = warnings.Add });

        var warning = Assert.Single(warnings, w => w.Contains($"warning {ErrorCodes.OptimizerStateUnread}:"));
        Assert.Contains("no optimizer was given", warning);
        Assert.Contains("Optimizer = optimizer", warning);
    }

    [Fact]
    public void Given_a_step_that_throws_When_profiled_Then_ACKPT039_names_the_exception_and_no_file_is_written()
    {
        using var model = new TinyDecoder();
        string path = Path.Combine(dir, "bad.profile.yaml");
        var e = Assert.Throws<AckptException>(() => StepProfiler.Profile(model, () => throw new InvalidOperationException("no data"), path));
        Assert.Equal(ErrorCodes.StepFailed, e.Code);
        Assert.Contains("no data", e.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Given_a_step_that_calls_forward_directly_When_profiled_Then_ACKPT111_says_to_call_the_model_through_call()
    {
        using var model = new TinyDecoder();
        var target = new TinyDecoderTarget();
        string path = Path.Combine(dir, "direct.profile.yaml");
        var e = Assert.Throws<AckptException>(() => StepProfiler.Profile(model, () =>
        {
            var (x, y) = target.CreateBatch(CPU, 4);
            target.Loss(model.forward(x), y).backward();
        }, path));
        Assert.Equal(ErrorCodes.StepModelCalls, e.Code);
        Assert.Contains("0 times", e.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Given_a_forward_that_runs_its_blocks_in_reverse_When_profiled_Then_ACKPT034_names_the_unit_out_of_order_and_no_file_is_written()
    {
        using var model = new Reversed();
        string path = Path.Combine(dir, "reversed.profile.yaml");

        var e = Assert.Throws<AckptException>(() => StepProfiler.Profile(model, () => model.call(randn(4, 8)).sum().backward(), path));

        Assert.Equal(ErrorCodes.UnitOrderInPlace, e.Code);
        Assert.Contains("ran unit 'blocks.2' where unit 'blocks.0' comes", e.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Given_a_model_with_TorchSharps_native_TransformerEncoder_When_profiled_Then_warning_ACKPT038_says_it_can_only_be_one_unit_and_the_way_out()
    {
        using var model = new WithNativeEncoder();
        string path = Path.Combine(dir, "native.profile.yaml");
        var warnings = new List<string>();

        var profile = StepProfiler.Profile(model, () => model.call(randn(2, 3, 16)).sum().backward(), path,
            new StepProfileOptions { Repeats = 1, Units = ["encoder", "head"], OnWarning = warnings.Add });

        var warning = Assert.Single(warnings, w => w.Contains($"warning {ErrorCodes.NativeModuleOneUnit}:"));
        Assert.StartsWith($"{path}: warning ACKPT038: 'encoder' is a TorchSharp TransformerEncoder", warning);
        Assert.Contains("can only be one unit as a whole", warning);
        Assert.Contains("ModuleList of your own encoder layers", warning);
        Assert.Contains("encoder", profile.Stages.Select(s => s.Name)); // profiled all the same, as one unit
    }

    /// <summary>Three blocks in a ModuleList that the forward runs last to first.</summary>
    private sealed class Reversed : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.ModuleList<nn.Module<Tensor, Tensor>> blocks = nn.ModuleList<nn.Module<Tensor, Tensor>>(nn.Linear(8, 8), nn.Linear(8, 8), nn.Linear(8, 8));

        public Reversed() : base(nameof(Reversed)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            for (int i = blocks.Count - 1; i >= 0; i--) x = blocks[i].call(x);
            return x;
        }
    }

    /// <summary>TorchSharp's native nn.TransformerEncoder, then a Linear head.</summary>
    private sealed class WithNativeEncoder : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.TransformerEncoder encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 2, 32, dropout: 0), 2);
        private readonly TorchSharp.Modules.Linear head = nn.Linear(16, 16);

        public WithNativeEncoder() : base(nameof(WithNativeEncoder)) => RegisterComponents();

        public override Tensor forward(Tensor x) => head.call(encoder.call(x));
    }
}
