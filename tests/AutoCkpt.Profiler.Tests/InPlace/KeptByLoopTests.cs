using AutoCkpt.Formats;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using AutoCkpt.Profiler.Torch;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests.InPlace;

/// <summary>
/// Memory the model's own loop keeps between two chained units (a WaveNet's skip branch, docs/profiler.md "The
/// entries"): a keep-only entry after the unit holds it, so the entries add up to the whole forward.
/// </summary>
public sealed class KeptByLoopTests
{
    [Fact]
    public void Given_a_loop_that_keeps_a_skip_branch_When_profiled_Then_an_entry_after_each_block_holds_it_and_the_entries_add_up()
    {
        var p = SkipChainTarget.Measure(SkipUse.Branch, 2);
        Assert.Equal(["(before blocks.0)", "blocks.0", "(after blocks.0)", "blocks.1", "(after blocks.1)", "blocks.2", "(after blocks.2)", "blocks.3", "(after blocks.3)"],
            p.Stages.Select(s => s.Name));
        long branch = (long)SkipChainTarget.B * 4 * SkipChain.D * 4; // one projection's output
        foreach (var s in p.Stages.Where((s, i) => i is 2 or 4 or 6))
        {
            Assert.False(s.RecomputeAllowed);
            Assert.Equal((long)SkipChainTarget.B * SkipChain.D * 4, s.OutputBytes); // the block's output, passed through
            Assert.InRange(s.RetainedBytes, branch, 3 * branch); // the projection, and from block 1 the new sum
        }
        Assert.True(SelfCheck.MemoryDisagreement(p) < SelfCheck.MemoryTolerance,
            $"Σ retained {SelfCheck.ForwardRetainedBytes(p)} against {p.Check!.ForwardRetainedBytesMeasured}");
    }

    /// <summary>
    /// The branch's backward (the projection's, run by the engine between the next block's backward and the block's own)
    /// is the entry's: it makes the projection's input gradient (its transient), takes time, and where it is the last use
    /// of the sum's gradient, after block 0, frees that; the next unit then has no skip gradient of its own. Before, the
    /// entry had no backward (0 s, 0 B, −output freed) and the sum's gradient was unit 1's skip gradient.
    /// </summary>
    [Fact]
    public void Given_a_loop_that_keeps_a_skip_branch_When_profiled_Then_the_entry_after_each_block_holds_the_branch_backward()
    {
        var p = SkipChainTarget.Measure(SkipUse.Branch, 2, batch: 256);
        long input = 256L * SkipChain.D * 4, sumGradient = 4 * input;
        foreach (int i in new[] { 2, 4, 6 })
        {
            var s = p.Stages[i];
            Assert.True(s.BackwardSeconds > 0, $"{s.Name}: no backward time");
            Assert.True(s.BackwardTransientBytes >= input, $"{s.Name}: backward transient {s.BackwardTransientBytes} B, under the projection's input gradient ({input} B)");
        }
        Assert.True(p.Stages[2].BackwardFreedBytes >= sumGradient - input,
            $"(after blocks.0) frees {p.Stages[2].BackwardFreedBytes} B, not the sum's gradient ({sumGradient} B) less the block's output gradient");
        Assert.All(p.Stages.Where(s => !s.Name.StartsWith('(')), s => Assert.Equal(0, s.SkipGradientBytes));
    }

    [Fact]
    public void Given_a_plain_loop_When_profiled_Then_no_entry_comes_between_its_blocks() =>
        Assert.Equal(["(before blocks.0)", "blocks.0", "blocks.1", "blocks.2", "blocks.3", "(after blocks.3)"], SkipChainTarget.Measure(SkipUse.None, 2).Stages.Select(s => s.Name));
}
