using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Memory;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests.InPlace;

public sealed class InPlaceProfilerTests
{
    private static Profile Profile(ICheckpointTarget target, int batch = 8) =>
        new ModelProfiler(new Meter(new CpuMemoryProbe(), TimeProvider.System))
            .Run(target, CPU, new DeviceInfo("cpu", "test"), new ProfileOptions(batch, Repeats: 3));

    private static readonly Lazy<Profile> Decoder = new(() => Profile(new TinyDecoderTarget()));

    [Fact]
    public void Given_a_decoder_with_a_ModuleList_When_profiled_Then_its_blocks_are_units_and_the_work_around_them_is_kept()
    {
        var p = Decoder.Value;
        Assert.Equal(["(before layers.0)", "layers.0", "layers.1", "layers.2", "(after layers.2)"], p.Stages.Select(s => s.Name));
        Assert.Equal(p.Stages.Count, p.Model.Stages);
        foreach (var s in p.Stages)
        {
            bool keepOnly = s.Name.StartsWith('(');
            Assert.Equal(!keepOnly, s.RecomputeAllowed);
            Assert.Equal(!keepOnly, s.TidyAllowed);
            Assert.Equal(!keepOnly, s.Recompute is not null);
            Assert.True(s.ForwardSeconds > 0, s.Name);
        }
        Assert.All(p.Stages.Skip(1).Take(3), s => Assert.True(s.BackwardSeconds > 0, s.Name));
    }

    [Fact]
    public void Given_a_decoder_of_identical_blocks_When_profiled_in_place_Then_its_blocks_share_their_time_figures()
    {
        var blocks = Decoder.Value.Stages.Where(s => s.Name.StartsWith("layers.", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, blocks.Count);
        Assert.All(blocks, b => Assert.NotNull(b.SaveMatmuls));
        Assert.Single(blocks.Select(b => b.ForwardSeconds).Distinct());
        Assert.Single(blocks.Select(b => b.BackwardSeconds).Distinct());
        Assert.Single(blocks.Select(b => b.SaveMatmuls!.RecomputeSeconds).Distinct());
    }

    [Fact]
    public void Given_a_decoder_When_profiled_Then_outputs_are_activation_sized_and_the_tied_weight_counts_once()
    {
        var p = Decoder.Value;
        long x = 8L * TinyDecoderTarget.Tokens * TinyDecoder.Width * 4;
        long logits = 8L * TinyDecoderTarget.Tokens * TinyDecoder.Vocab * 4;
        Assert.Equal([x, x, x, x, logits], p.Stages.Select(s => s.OutputBytes));
        long parameters = (TinyDecoder.Vocab * TinyDecoder.Width + 3L * (2 * 4 * TinyDecoder.Width * TinyDecoder.Width + 5 * TinyDecoder.Width)) * 4;
        Assert.Equal(parameters, p.FixedBytes.Parameters);
        Assert.Equal(parameters, p.FixedBytes.Gradients);
        Assert.Equal([8L, TinyDecoderTarget.Tokens], p.InputShape);
    }

    [Fact]
    public void Given_a_decoder_When_profiled_Then_the_entries_retained_bytes_add_up_to_the_whole_forward()
    {
        var p = Decoder.Value;
        Assert.NotNull(SelfCheck.MemoryDisagreement(p));
        Assert.True(SelfCheck.MemoryDisagreement(p) < SelfCheck.MemoryTolerance,
            $"Σ retained {SelfCheck.ForwardRetainedBytes(p)} against {p.Check!.ForwardRetainedBytesMeasured}");
    }

    [Fact]
    public void Given_a_block_called_twice_When_profiled_Then_ACKPT033_names_it()
    {
        var e = Assert.Throws<AckptException>(() => Profile(new TinyDecoderTarget(callTwice: true)));
        Assert.Equal(ErrorCodes.UnitCallCountInPlace, e.Code);
        Assert.Contains("'layers.1'", e.Message);
        Assert.Contains("2 times", e.Message);
    }

    [Fact]
    public void Given_a_frozen_base_When_profiled_Then_the_first_block_has_no_input_gradient_and_the_entries_still_add_up()
    {
        var p = Profile(new TinyDecoderTarget(frozenBase: true));
        Assert.Equal(5, p.Stages.Count);
        Assert.Equal(0, p.Stages[0].BackwardSeconds); // the embedding is frozen: nothing to do in its backward
        Assert.True(SelfCheck.MemoryDisagreement(p) < SelfCheck.MemoryTolerance,
            $"Σ retained {SelfCheck.ForwardRetainedBytes(p)} against {p.Check!.ForwardRetainedBytesMeasured}");
    }

    [Fact]
    public void Given_work_between_blocks_When_profiled_Then_it_is_a_keep_only_entry_after_each_block_and_the_entries_still_add_up()
    {
        var p = Profile(new TinyDecoderTarget(scaleBetween: true));
        Assert.Equal(["(before layers.0)", "layers.0", "(after layers.0)", "layers.1", "(after layers.1)", "layers.2", "(after layers.2)"], p.Stages.Select(s => s.Name));
        long x = 8L * TinyDecoderTarget.Tokens * TinyDecoder.Width * 4;
        Assert.All(p.Stages.Where(s => s.Name.StartsWith("(after layers.") && s.Name != "(after layers.2)"), s =>
        {
            Assert.False(s.RecomputeAllowed);
            Assert.Equal(x, s.OutputBytes);
            Assert.InRange(s.RetainedBytes, x - 8192, x + 8192); // x * 0.5 makes one new activation, saved by nothing else
        });
        Assert.True(SelfCheck.MemoryDisagreement(p) < SelfCheck.MemoryTolerance,
            $"Σ retained {SelfCheck.ForwardRetainedBytes(p)} against {p.Check!.ForwardRetainedBytesMeasured}");
    }
}
