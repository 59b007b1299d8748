using AutoCkpt.Formats.Plans;
using AutoCkpt.Runtime.Tests.Support;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Memory;

/// <summary>
/// <see cref="CheckpointOptions.CheckPeak"/> on the CPU, with real steps of a real model (eight stages of Linear, GELU,
/// Linear, GELU at width 256, 1024 rows: one activation is 1 MiB; AdamW) under a plan read from a real file that
/// recomputes two segments of four stages. The step needs its fixed bytes plus about 20 MiB; the plan's cap is set
/// below or above that.
/// </summary>
[Collection(MemoryCollection.Name)]
public sealed class PeakCheckTests(ITestOutputHelper output) : IDisposable
{
    private const long MiB = 1 << 20;
    private readonly string _dir = Directory.CreateTempSubdirectory("ackpt-peak-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Given_a_cap_below_what_the_step_needs_When_the_app_trains_Then_the_runtime_warns_once_with_ACKPT010_naming_the_plan_and_the_figures()
    {
        var (warnings, applied) = Train(capAboveFixed: 4 * MiB, checkPeak: true);

        var over = warnings.Where(w => w.Contains("ACKPT010")).ToList();
        Assert.Single(over);
        Assert.Equal(warnings.Count, over.Count);
        Assert.Contains("peak.plan.yaml", over[0]);
        Assert.Contains("over its memory cap of", over[0]);
        Assert.Contains(Formats.Options.MemoryCap.Format(applied.Plan.MemoryCapBytes), over[0]);
        Assert.True(applied.MeasuredPeakBytes > applied.Plan.MemoryCapBytes, $"measured {applied.MeasuredPeakBytes} B, cap {applied.Plan.MemoryCapBytes} B");
    }

    [Fact]
    public void Given_a_cap_the_step_fits_When_the_app_trains_Then_no_warning_and_the_reading_is_the_fixed_bytes_plus_the_recomputed_activations()
    {
        var (warnings, applied) = Train(capAboveFixed: 256 * MiB, checkPeak: true);

        Assert.Empty(warnings);
        long rise = applied.MeasuredPeakBytes!.Value - applied.Plan.Predicted!.FixedBytes!.Value;
        output.WriteLine($"measured peak {applied.MeasuredPeakBytes} B: fixed {applied.Plan.Predicted.FixedBytes} B + rise {rise} B");
        // At least the re-run of one four-stage segment's activations (4 stages × 4 saved tensors of 1 MiB, less the
        // ones the backward already freed) and at most what the plain model keeps (8 stages × 4 MiB) plus its transients.
        Assert.InRange(rise, 4 * MiB, 48 * MiB);
    }

    [Fact]
    public void Given_the_check_off_When_the_app_trains_over_its_cap_Then_nothing_is_read_and_nothing_warned()
    {
        var (warnings, applied) = Train(capAboveFixed: 4 * MiB, checkPeak: false);

        Assert.Empty(warnings);
        Assert.Null(applied.MeasuredPeakBytes);
    }

    [Fact]
    public void Given_a_plan_without_fixed_bytes_When_applied_with_the_check_Then_ACKPT011_says_there_is_nothing_to_compare_with()
    {
        var model = TestModels.ActivationHeavyStack(8, 256);
        var plan = Plans.For(model, "r0-3 r4-7");
        var warnings = new List<string>();

        Checkpointing.Apply(model, plan, "old.plan.yaml", warnings.Add, new CheckpointOptions { CheckPeak = true });

        Assert.Contains(warnings, w => w.StartsWith("old.plan.yaml: warning ACKPT011:", StringComparison.Ordinal));
        Assert.Null(Checkpointing.Applied(model)!.MeasuredPeakBytes);
    }

    private (List<string> Warnings, AppliedPlan Applied) Train(long capAboveFixed, bool checkPeak)
    {
        MemoryCollection.Settle();
        var model = TestModels.ActivationHeavyStack(8, 256);
        torch.manual_seed(3);
        var input = torch.randn(1024, 256).DetachFromDisposeScope();
        var target = torch.randn(1024, 256).DetachFromDisposeScope();
        long parameters = model.parameters().Sum(p => p.numel() * p.element_size());
        // Parameters, gradients, AdamW's two moments, and the batch: the profile's fixed bytes for this model.
        long fixedBytes = 4 * parameters + 2 * input.numel() * input.element_size();
        var plan = Plans.For(model, "r0-3 r4-7") with
        {
            MemoryCapBytes = fixedBytes + capAboveFixed,
            Predicted = new Prediction(fixedBytes + 20 * MiB, 0.1, 0.02) { FixedBytes = fixedBytes },
        };
        string path = Path.Combine(_dir, "peak.plan.yaml");
        PlanFile.Write(path, plan);

        var warnings = new List<string>();
        Checkpointing.Apply(model, path, warnings.Add, new CheckpointOptions { CheckPeak = checkPeak });
        using var optimizer = optim.AdamW(model.parameters());
        for (int step = 0; step < 4; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            TestModels.MseLoss(model.call(input), target).backward();
            optimizer.step();
        }
        var applied = Checkpointing.Applied(model)!;
        Checkpointing.Remove(model);
        output.WriteLine(string.Join("\n", warnings));
        return (warnings, applied);
    }
}
