using System.Text.Json;
using AutoCkpt.Bench;
using AutoCkpt.Bench.Report;
using AutoCkpt.Examples.Gpt2;
using AutoCkpt.Examples.Gpt2.Model;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Profiler.Benchmarking;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using AutoCkpt.Profiler.Torch;
using Xunit;

namespace AutoCkpt.Examples.Tests;

/// <summary>A GPT-2 small enough for a test: 3 blocks of width 32, 32 tokens, batch 4.</summary>
public sealed class Gpt2Mini() : Gpt2Target("gpt2-mini", new Gpt2Config(256, 32, 3, 2, 32, 0.1), 4);

public sealed class BenchTests
{
    private static readonly string[] FixedKeys = ["strategy", "fits_cap", "predicted_peak_bytes", "measured_peak_bytes", "median_step_seconds", "max_grad_rel_diff"];

    [Fact]
    public void Given_a_planned_mini_gpt2_When_benched_Then_the_json_has_the_fixed_keys_for_each_strategy_and_the_plan_keeps_the_gradients()
    {
        var target = new Gpt2Mini();
        var device = ProfilingDevice.Open("cpu");
        var profile = new ModelProfiler(new Meter(device.Probe, TimeProvider.System)).Run(target, device.Device, device.Info, new ProfileOptions(4, Repeats: 2));
        var costModel = new StepCostModel(profile);
        long none = costModel.PeakBytes(Baselines.None(costModel.Stages)), every = costModel.PeakBytes(Baselines.EveryStage(costModel.Stages));
        var plan = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = new MemoryCap((none + every) / 2, null) }).Plan;

        var measured = new StrategyBench(device).Run(target, plan, BenchStrategies.ForTidy(plan, profile), new BenchOptions(4, Steps: 2));
        var report = BenchAssembler.Assemble(measured, profile, BenchStrategies.TidyModel(plan, profile), plan.MemoryCapBytes);
        using var json = JsonDocument.Parse(BenchJson.Rows(report));

        var rows = json.RootElement.EnumerateArray().ToList();
        Assert.Equal("none", rows[0].GetProperty("strategy").GetString());
        Assert.Equal("tidy", rows[1].GetProperty("strategy").GetString());
        Assert.Equal("every_stage", rows[2].GetProperty("strategy").GetString());
        Assert.Equal(costModel.Stages, rows[1].GetProperty("tidy_stages").GetInt32());
        Assert.True(rows[1].GetProperty("predicted_peak_bytes").GetInt64() < rows[0].GetProperty("predicted_peak_bytes").GetInt64(), "tidy should be predicted under none");
        Assert.Equal("plan", rows[^1].GetProperty("strategy").GetString());
        foreach (var row in rows)
            foreach (var key in FixedKeys)
                Assert.True(row.TryGetProperty(key, out _), $"{row.GetProperty("strategy")} has no '{key}'");
        Assert.All(rows, r => Assert.Equal(0.0, r.GetProperty("max_grad_rel_diff").GetDouble()));
    }
}
