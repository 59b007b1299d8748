using AutoCkpt.Testing;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using Xunit;

namespace AutoCkpt.Cli.Tests.EndToEnd;

/// <summary>
/// <c>autockpt plan --verify</c> end to end on TinyTargets' tiny-mlp: real steps in the app, a plan that fits at once,
/// a plan made from a deliberately wrong profile (its kept stages' bytes understated) that measures over its cap and is
/// corrected, and one that cannot be corrected (every byte understated threefold, under the smallest peak: ACKPT083,
/// nothing written). The measurements are real; only the profiles are made wrong.
/// </summary>
public sealed class PlanVerifyFixture
{
    public PlanVerifyFixture(CliFixture cli)
    {
        Cli = cli;
        Profile = cli.ScratchFile("verify.profile.yaml");
        Profiled = cli.Cli("profile", "--project", cli.TinyDll, "--target", "tiny-mlp", "--batch-size", "1024", "--repeats", "2", "--out", Profile);

        // The true peaks: the sweep runs from the smallest reachable peak S to the tidy peak T; the cap C is range:85%.
        Probe = cli.Cli("plan", "--profile", Profile, "--memory-cap", "range:85%", "--sweep", "--headroom", "0", "--out", cli.ScratchFile("probe.plan.yaml"));
        var probe = PlanFile.Read(cli.ScratchFile("probe.plan.yaml"));
        long cap = probe.MemoryCapBytes, range = probe.Sweep[^1].CapBytes - probe.Sweep[0].CapBytes;

        // A deliberately wrong profile: the kept stages' bytes understated by 45% of the saveable range in all (recompute
        // figures left true). It predicts that keeping every stage fits C with the 2% headroom; really it does not, and a
        // plan that recomputes does.
        var truth = ProfileFile.Read(Profile);
        long less = (long)(0.45 * range) / truth.Stages.Count;
        WrongProfile = cli.ScratchFile("verify-wrong.profile.yaml");
        ProfileFile.Write(WrongProfile, truth with { Stages = [.. truth.Stages.Select(s => KeptUnderstated(s, less))] },
            "test: kept-stage bytes understated, so that the first plan measures over its cap");
        HopelessProfile = cli.ScratchFile("verify-hopeless.profile.yaml");
        ProfileFile.Write(HopelessProfile, truth with { Stages = [.. truth.Stages.Select(Understated)] }, "test: every stage's bytes understated threefold");

        Fits = cli.Cli("plan", "--profile", Profile, "--memory-cap", "range:50%", "--out", cli.ScratchFile("fits.plan.yaml"),
            "--verify", "--project", cli.TinyDll, "--target", "tiny-mlp");
        Corrected = cli.Cli("plan", "--profile", WrongProfile, "--memory-cap", cap.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--out", cli.ScratchFile("corrected.plan.yaml"), "--verify", "--project", cli.TinyDll, "--target", "tiny-mlp");
        // Under the wrong profile's smallest peak with no headroom nothing real fits: no correction can help.
        Hopeless = cli.Cli("plan", "--profile", HopelessProfile, "--memory-cap", "range:0%", "--headroom", "0", "--out", cli.ScratchFile("hopeless.plan.yaml"),
            "--verify", "--project", cli.TinyDll, "--target", "tiny-mlp");
    }

    private static StageProfile KeptUnderstated(StageProfile s, long less) => s with
    {
        RetainedBytes = s.RetainedBytes - less,
        Tidy = s.Tidy is { } t ? t with { RetainedBytes = t.RetainedBytes - less } : null,
    };

    private static StageProfile Understated(StageProfile s) => s with
    {
        RetainedBytes = s.RetainedBytes / 3,
        ForwardTransientBytes = s.ForwardTransientBytes / 3,
        BackwardTransientBytes = s.BackwardTransientBytes / 3,
        BackwardFreedBytes = s.BackwardFreedBytes / 3,
        Recompute = s.Recompute is { } r ? new RecomputeFigures(r.RetainedBytes / 3, r.BackwardTransientBytes / 3, r.BackwardFreedBytes / 3) : null,
        Tidy = s.Tidy is { } t ? new TidyFigures(t.RetainedBytes / 3, t.ForwardTransientBytes / 3, t.BackwardTransientBytes / 3, t.BackwardFreedBytes / 3) : null,
    };

    public CliFixture Cli { get; }
    public string Profile { get; }
    public string WrongProfile { get; }
    public string HopelessProfile { get; }
    public ProcessResult Probe { get; }
    public ProcessResult Profiled { get; }
    public ProcessResult Fits { get; }
    public ProcessResult Corrected { get; }
    public ProcessResult Hopeless { get; }
}

[Collection(CliCollection.Name)]
public sealed class PlanVerifyTests(CliFixture cli)
{
    // The runs are shared by the tests (the collection's fixture is not available to a class fixture).
    private static readonly Lock Gate = new();
    private static PlanVerifyFixture? _shared;

    private PlanVerifyFixture F
    {
        get { lock (Gate) return _shared ??= new PlanVerifyFixture(cli); }
    }

    [Fact]
    public void Given_an_accurate_profile_When_planned_with_verify_Then_the_first_plan_measures_under_its_cap_and_the_file_says_so()
    {
        Assert.True(F.Profiled.ExitCode == 0, F.Profiled.ToString());
        Assert.True(F.Fits.ExitCode == 0, F.Fits.ToString());
        var plan = PlanFile.Read(cli.ScratchFile("fits.plan.yaml"));
        var v = Assert.IsType<PlanVerification>(plan.Verified);
        Assert.Equal(1, v.Rounds);
        Assert.Equal(0, plan.CorrectionBytes);
        Assert.Equal("cpu", v.DeviceType);
        Assert.InRange(v.MeasuredPeakBytes, 1, plan.MemoryCapBytes);
        Assert.Contains("--verify --project", File.ReadAllText(cli.ScratchFile("fits.plan.yaml")));
    }

    [Fact]
    public void Given_a_profile_that_understates_bytes_When_planned_with_verify_Then_the_budget_is_tightened_by_the_miss_until_the_plan_measures_under_its_cap()
    {
        Assert.True(F.Corrected.ExitCode == 0, F.Corrected.ToString());
        string said = System.Text.RegularExpressions.Regex.Replace(F.Corrected.Out, @"\s+", " ");
        Assert.Contains("verify round 1: the plan measured", said);
        Assert.Contains("planning again with the budget tightened by", said);
        var plan = PlanFile.Read(cli.ScratchFile("corrected.plan.yaml"));
        var v = Assert.IsType<PlanVerification>(plan.Verified);
        Assert.InRange(v.Rounds, 2, 4);
        Assert.True(plan.CorrectionBytes > 0);
        Assert.InRange(v.MeasuredPeakBytes, 1, plan.MemoryCapBytes);
        Assert.True(plan.Predicted!.PeakBytes <= plan.BudgetBytes);
        Assert.True(plan.Segments.Any(s => s.Strategy == SegmentStrategy.Recompute), "the corrected plan must recompute something");
    }

    [Fact]
    public void Given_a_cap_no_real_plan_fits_When_planned_with_verify_Then_ACKPT083_and_no_plan_is_written()
    {
        Assert.Equal(1, F.Hopeless.ExitCode);
        Assert.Contains("error ACKPT083", F.Hopeless.Error);
        Assert.Contains("round 1: predicted", F.Hopeless.Error);
        Assert.False(File.Exists(cli.ScratchFile("hopeless.plan.yaml")));
    }
}
