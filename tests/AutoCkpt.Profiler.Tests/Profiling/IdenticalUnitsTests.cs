using AutoCkpt.Formats;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Memory;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests.Profiling;

/// <summary>
/// Six blocks: the batch's block, three identical blocks, a wider MLP block, and the last block (through the loss):
/// only the three in the middle do the same work.
/// </summary>
internal sealed class MixedBlocksTarget : ICheckpointTarget
{
    private const long D = AttentionBlocksTarget.D;

    public string Name => "mixed-blocks";

    public nn.Module<Tensor, Tensor> CreateModel(Device device) => nn.Sequential(
        ("0", new AttentionBlocksTarget.Block()), ("1", new AttentionBlocksTarget.Block()), ("2", new AttentionBlocksTarget.Block()),
        ("3", new AttentionBlocksTarget.Block()), ("wide", nn.Sequential(nn.Linear(D, 32 * D), nn.GELU(), nn.Linear(32 * D, D))),
        ("5", new AttentionBlocksTarget.Block()));

    public (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randn(batchSize, AttentionBlocksTarget.T, D), randn(batchSize, AttentionBlocksTarget.T, D));

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.mse_loss(output, target);
}

public sealed class IdenticalUnitsTests
{
    private static readonly Lazy<Profile> Mixed = new(() =>
        new ModelProfiler(new Meter(new CpuMemoryProbe(), TimeProvider.System))
            .Run(new MixedBlocksTarget(), CPU, new DeviceInfo("cpu", "test"), new ProfileOptions(8, Repeats: 3)));

    private static StageProfile Stage(string name) => Mixed.Value.Stages.Single(s => s.Name == name);

    [Fact]
    public void Given_identical_blocks_When_profiled_Then_each_gets_the_same_time_figures()
    {
        var group = new[] { "1", "2", "3" }.Select(Stage).ToList();
        var first = group[0];
        Assert.NotNull(first.SaveMatmuls);
        Assert.NotEmpty(first.SubModules);
        foreach (var s in group.Skip(1))
        {
            Assert.Equal(first.ForwardSeconds, s.ForwardSeconds);
            Assert.Equal(first.BackwardSeconds, s.BackwardSeconds);
            Assert.Equal(first.SaveMatmuls!.RecomputeSeconds, s.SaveMatmuls!.RecomputeSeconds);
            Assert.Equal(first.SubModules.Select(c => (c.Path, c.RecomputeSeconds)), s.SubModules.Select(c => (c.Path, c.RecomputeSeconds)));
        }
    }

    [Fact]
    public void Given_a_different_block_among_identical_ones_When_profiled_Then_it_keeps_its_own_times()
    {
        var wide = Stage("wide");
        var pooled = Stage("1");
        // 32 times the MLP width: its own figures, far from the identical blocks' shared ones.
        Assert.NotEqual(pooled.ForwardSeconds, wide.ForwardSeconds);
        Assert.NotEqual(pooled.BackwardSeconds, wide.BackwardSeconds);
        Assert.NotEqual(pooled.SaveMatmuls!.RecomputeSeconds, wide.SaveMatmuls!.RecomputeSeconds);
    }

    [Fact]
    public void Given_units_When_keyed_Then_only_the_same_modules_on_the_same_inputs_in_the_same_role_share_a_key()
    {
        using var a = new AttentionBlocksTarget.Block();
        using var b = new AttentionBlocksTarget.Block();
        using var wide = nn.Sequential(nn.Linear(16, 32), nn.GELU(), nn.Linear(32, 16));
        using var narrow = nn.Sequential(nn.Linear(16, 8), nn.GELU(), nn.Linear(8, 16));
        using var x = randn(2, 32, 16);
        using var y = randn(2, 16, 16);
        Assert.Equal(IdenticalUnits.Key(a, [x], "chained"), IdenticalUnits.Key(b, [x], "chained"));
        Assert.NotEqual(IdenticalUnits.Key(a, [x], "chained"), IdenticalUnits.Key(a, [y], "chained"));
        Assert.NotEqual(IdenticalUnits.Key(a, [x], "chained"), IdenticalUnits.Key(a, [x], "chained+loss"));
        Assert.NotEqual(IdenticalUnits.Key(wide, [x], "chained"), IdenticalUnits.Key(narrow, [x], "chained"));
        Assert.NotEqual(IdenticalUnits.Key(a, [x, 1], "chained"), IdenticalUnits.Key(a, [x, 2], "chained"));
    }

    [Fact]
    public void Given_figures_When_pooled_Then_each_group_gets_its_medians_and_the_others_keep_their_own()
    {
        static StageProfile Unit(string name, double f, double b, double m, double sub, long bytes) =>
            new StageProfile(name, f, b, bytes, bytes, bytes, bytes)
            {
                SaveMatmuls = new SaveMatmulsFigures(bytes, m),
                SubModules = [new SubModuleFigures("attn", bytes, 0, 0, 0, sub)],
            };
        var entries = new[]
        {
            new StageProfile("(before 0)", 0.5, 0.6, 1, 1, 1, 1),
            Unit("0", 1.0, 2.0, 0.7, 0.3, 100),
            Unit("1", 3.0, 1.0, 0.9, 0.1, 200),
            Unit("2", 2.0, 4.0, 0.8, 0.2, 300),
            Unit("other", 9.0, 9.5, 5.0, 4.0, 400),
        };
        var pooled = IdenticalUnits.PoolTimes(entries, [null, "k", "k", "k", "j"]);
        Assert.Equal(entries[0], pooled[0]);
        Assert.Equal(entries[4], pooled[4]);
        for (int i = 1; i <= 3; i++)
        {
            Assert.Equal(2.0, pooled[i].ForwardSeconds);
            Assert.Equal(2.0, pooled[i].BackwardSeconds);
            Assert.Equal(0.8, pooled[i].SaveMatmuls!.RecomputeSeconds);
            Assert.Equal(0.2, pooled[i].SubModules.Single().RecomputeSeconds);
            // Bytes are the unit's own.
            Assert.Equal(entries[i].RetainedBytes, pooled[i].RetainedBytes);
            Assert.Equal(entries[i].SaveMatmuls!.KeptBytes, pooled[i].SaveMatmuls!.KeptBytes);
            Assert.Equal(entries[i].SubModules[0].RetainedBytes, pooled[i].SubModules[0].RetainedBytes);
        }
    }
}
