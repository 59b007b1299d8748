using AutoCkpt.Formats;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Memory;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests.Profiling;

/// <summary>Four identical pre-norm blocks with <c>attn</c> (explicit attention in <c>attn.core</c>, with dropout) and <c>mlp</c>, on float input.</summary>
internal sealed class AttentionBlocksTarget : ICheckpointTarget
{
    public const long B = 4, T = 64, D = 64;

    public string Name => "attention-blocks";

    /// <summary>Calls of each block's attention ("1.attn") in the last model made.</summary>
    public Dictionary<string, int> Calls { get; } = [];

    public nn.Module<Tensor, Tensor> CreateModel(Device device)
    {
        var model = nn.Sequential(("0", new Block()), ("1", new Block()), ("2", new Block()), ("3", new Block()));
        Calls.Clear();
        foreach (var (name, module) in model.named_modules())
            if (name.EndsWith(".attn", StringComparison.Ordinal))
                ((nn.Module<Tensor, Tensor>)module).register_forward_pre_hook((m, x) => { Calls[name] = Calls.GetValueOrDefault(name) + 1; return x; });
        return model;
    }

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) => (randn(batchSize, T, D), randn(batchSize, T, D));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.mse_loss(output, target);

    internal sealed class Block : nn.Module<Tensor, Tensor>
    {
        private readonly LayerNorm ln1 = nn.LayerNorm(D);
        private readonly Attention attn = new();
        private readonly LayerNorm ln2 = nn.LayerNorm(D);
        private readonly Sequential mlp = nn.Sequential(nn.Linear(D, 4 * D), nn.GELU(), nn.Linear(4 * D, D));

        public Block() : base(nameof(Block)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            x = x + attn.call(ln1.call(x));
            return x + mlp.call(ln2.call(x));
        }
    }

    internal sealed class Attention : nn.Module<Tensor, Tensor>
    {
        private readonly Linear qkv = nn.Linear(D, 3 * D);
        private readonly Core core = new();
        private readonly Linear proj = nn.Linear(D, D);

        public Attention() : base(nameof(Attention)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            var parts = qkv.call(x).chunk(3, -1);
            return proj.call(core.call(parts[0], parts[1], parts[2]));
        }
    }

    internal sealed class Core : nn.Module<Tensor, Tensor, Tensor, Tensor>
    {
        private readonly Dropout dropout = nn.Dropout(0.1);

        public Core() : base(nameof(Core)) => RegisterComponents();

        public override Tensor forward(Tensor q, Tensor k, Tensor v) =>
            dropout.call((q.matmul(k.transpose(-2, -1)) / 8.0).softmax(-1)).matmul(v);
    }
}

/// <summary>The profiler measures the sub-module option (docs/selective.md) on each unit as it runs, identical units once.</summary>
public sealed class SubModuleFiguresTests
{
    private static readonly AttentionBlocksTarget Target = new();
    private static readonly Lazy<Profile> Run = new(() =>
        new ModelProfiler(new Meter(new CpuMemoryProbe(), TimeProvider.System))
            .Run(Target, CPU, new DeviceInfo("cpu", "test"), new ProfileOptions((int)AttentionBlocksTarget.B, Repeats: 3)));

    [Fact]
    public void Given_blocks_with_attention_and_mlp_When_profiled_Then_each_has_figures_for_attn_its_core_and_mlp_that_keep_less()
    {
        foreach (var stage in Run.Value.Stages)
        {
            Assert.Equal(["attn", "attn.core", "mlp"], stage.SubModules.Select(s => s.Path));
            long whole = stage.Tidy?.RetainedBytes ?? stage.RetainedBytes;
            foreach (var sub in stage.SubModules)
            {
                Assert.True(sub.RetainedBytes < whole, $"{stage.Name} with {sub.Path} recomputed keeps {sub.RetainedBytes} B, kept whole {whole} B");
                Assert.InRange(sub.RecomputeSeconds, 1e-9, stage.ForwardSeconds);
            }
            // The attention holds its core: recomputing it frees more and costs more.
            Assert.True(stage.SubModules[0].RetainedBytes < stage.SubModules[1].RetainedBytes);
            Assert.True(stage.SubModules[0].RecomputeSeconds > stage.SubModules[1].RecomputeSeconds);
        }
        var back = ProfileFile.Parse(ProfileFile.Format(Run.Value), "p.yaml");
        Assert.Equal(Run.Value.Stages.SelectMany(s => s.SubModules), back.Stages.SelectMany(s => s.SubModules));
    }

    [Fact]
    public void Given_two_identical_blocks_When_profiled_Then_the_option_is_measured_on_the_first_only()
    {
        _ = Run.Value;
        // Block 0 takes the batch (no gradient), block 3 ends in the loss; blocks 1 and 2 a chained input: twins.
        var calls = Target.Calls;
        Assert.True(calls["1.attn"] > calls["2.attn"] + 5, string.Join(", ", calls));
        Assert.Equal(Run.Value.Stages[1].SubModules.Select(s => (s.Path, s.RetainedBytes)), Run.Value.Stages[2].SubModules.Select(s => (s.Path, s.RetainedBytes)));
    }
}
