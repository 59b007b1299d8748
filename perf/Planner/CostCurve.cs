using System.Globalization;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Drawing;

namespace AutoCkpt.Perf.Planner;

/// <summary>
/// The cost curve of a profile: the planner's plan at caps from the smallest reachable peak (multi-level plans) through
/// the every-stage peak up to the tidy peak (no recompute), half of them below the every-stage peak; prints cap,
/// predicted peak and step time and whether the plan is multi-level, and draws the plan at <c>--at</c> (a share of the
/// every-stage peak) with the curve as its Pareto panel.
/// </summary>
internal static class CostCurve
{
    public static int Run(string[] args)
    {
        var profile = ProfileFile.Read(args[0]);
        string svg = args[1];
        int points = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 8;
        double at = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 0.9;
        var model = TidyCosts.Model(profile, NoTidyPatterns.Empty);
        int n = model.Stages;
        var peaks = CheckpointPlanner.Peaks(profile, NoTidyPatterns.Empty);
        long every = model.PeakBytes(model.Runnable(Baselines.EveryStage(n)));
        var caps = Enumerable.Range(0, points).Select(i => peaks.Smallest + (every - 1 - peaks.Smallest) * i / points)
            .Concat(Enumerable.Range(0, points + 1).Select(i => every + (peaks.Tidy - every) * i / points)).Distinct().ToList();
        Console.WriteLine($"# {profile.Target}: smallest reachable {MemoryCap.Format(peaks.Smallest)}, every_stage {MemoryCap.Format(every)}, tidy {MemoryCap.Format(peaks.Tidy)}, no recompute step {model.BaseStepSeconds:0.000} s");
        Console.WriteLine("cap_bytes\tcap\tpeak\tstep_s\toverhead\tmulti_level\tsegments");
        var sweep = new List<SweepPoint>();
        foreach (long cap in caps)
        {
            var r = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = new MemoryCap(cap, null), Headroom = PlanRequest.NoHeadroom });
            var p = r.Plan.Predicted!;
            sweep.Add(new SweepPoint(cap, p.PeakBytes, p.StepSeconds));
            Console.WriteLine(string.Join('\t', cap, MemoryCap.Format(cap), MemoryCap.Format(p.PeakBytes), p.StepSeconds.ToString("0.000", CultureInfo.InvariantCulture),
                ((p.StepSeconds / model.BaseStepSeconds - 1) * 100).ToString("+0.0", CultureInfo.InvariantCulture) + "%", r.Plan.IsNested ? "yes" : "no",
                string.Join(' ', r.Plan.Segments)));
        }
        long shown = (long)(every * at);
        var plan = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = new MemoryCap(shown, null), Headroom = PlanRequest.NoHeadroom }).Plan;
        var series = new List<ChartSeries> { new($"plan at {at:P0} of every_stage's peak", plan.Segments, IsPlan: true), new("every_stage", Baselines.EveryStage(n)) };
        AtomicFile.WriteAllText(svg, StepChart.Render(model, series, shown, sweep, $"{profile.Target}: memory over one step at {at:P0} of every_stage's peak, and the cost curve"));
        return 0;
    }
}
