using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AutoCkpt.Formats.Errors;
using Xunit;

namespace AutoCkpt.Cli.Tests.EndToEnd;

/// <summary>
/// <c>autockpt bench</c> end to end on the planned app (<see cref="PlannedApp"/>): build, the profiler's host running
/// every strategy in the app, JSON, Markdown and SVG; and a bad <c>--plan</c>, which writes nothing.
/// </summary>
[Collection(PlannedAppCollection.Name)]
public sealed class BenchCommandTests(PlannedApp app)
{
    private static readonly string[] FixedKeys = ["strategy", "fits_cap", "predicted_peak_bytes", "measured_peak_bytes", "median_step_seconds", "max_grad_rel_diff"];

    private static readonly string[] Outputs = ["bad.json", "bad.md", "bad.svg"];

    private IReadOnlyList<JsonElement> Rows()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(app.Out("bench.json")));
        return json.RootElement.EnumerateArray().Select(r => r.Clone()).ToList();
    }

    private string[] BadOutputArgs(string folder) =>
        ["--json", app.Out($"{folder}/bad.json"), "--markdown", app.Out($"{folder}/bad.md"), "--svg", app.Out($"{folder}/bad.svg")];

    [Fact]
    public void Given_a_plan_When_benched_Then_the_json_has_one_row_per_strategy_in_order_with_the_fixed_keys()
    {
        Assert.True(app.Bench.ExitCode == 0, app.Bench.ToString());
        var rows = Rows();

        var names = rows.Select(r => r.GetProperty("strategy").GetString()!).ToList();
        // The tidy uniform_k row is there unless tidy alone fits the cap less its headroom.
        Assert.InRange(names.Count, 4, 5);
        Assert.Equal(["none", "tidy", "every_stage"], names.Take(3));
        if (names.Count == 5) Assert.Matches(new Regex("^uniform_[0-9]+$"), names[3]);
        Assert.Equal("plan", names[^1]);
        foreach (var row in rows)
            foreach (var key in FixedKeys)
                Assert.True(row.TryGetProperty(key, out _), $"{row.GetProperty("strategy")} has no '{key}'");
    }

    [Fact]
    public void Given_a_plan_When_benched_on_the_cpu_Then_every_row_has_measured_figures_and_identical_gradients()
    {
        foreach (var row in Rows())
        {
            Assert.True(row.GetProperty("fits_cap").ValueKind is JsonValueKind.True or JsonValueKind.False);
            Assert.True(row.GetProperty("predicted_peak_bytes").GetInt64() > 0);
            Assert.True(row.GetProperty("measured_peak_bytes").GetInt64() > 0);
            Assert.True(row.GetProperty("median_step_seconds").GetDouble() > 0);
            Assert.Equal(0.0, row.GetProperty("max_grad_rel_diff").GetDouble());
        }
        Assert.True(Rows().Single(r => r.GetProperty("strategy").GetString() == "plan").GetProperty("fits_cap").GetBoolean());
    }

    [Fact]
    public void Given_markdown_and_svg_options_When_benched_Then_the_table_and_the_drawing_name_every_strategy()
    {
        string markdown = File.ReadAllText(app.Out("bench.md"));
        var svg = XDocument.Load(app.Out("bench.svg"));
        string drawn = string.Concat(svg.Descendants().Select(e => e.Value + " "));

        Assert.Equal("svg", svg.Root!.Name.LocalName);
        foreach (var name in Rows().Select(r => r.GetProperty("strategy").GetString()!))
        {
            Assert.Contains($"| {name} |", markdown);
            Assert.Contains(name, drawn);
        }
        Assert.Contains($"wrote {app.Out("bench.svg")}", app.Bench.Out);
    }

    [Fact]
    public void Given_a_plan_that_does_not_exist_When_benched_Then_ACKPT001_and_nothing_is_written()
    {
        string missing = Path.Combine(app.Root, "no.plan.yaml");

        var r = app.Cli(["bench", "--project", app.AppDll, "--target", "tiny-mlp", "--plan", missing, "--steps", "1", .. BadOutputArgs("missing")]);

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains($"{missing}: error {ErrorCodes.PlanMissing}:", r.Error);
        Assert.All(Outputs, o => Assert.False(File.Exists(app.Out($"missing/{o}")), o));
    }

    [Fact]
    public void Given_a_plan_for_another_model_When_benched_Then_ACKPT005_names_the_plan_and_nothing_is_written()
    {
        // tiny-staged has three stages too, so only the fingerprint tells the models apart.
        var r = app.Cli(["bench", "--project", app.AppDll, "--target", "tiny-staged", "--plan", app.PlanPath, "--steps", "1", .. BadOutputArgs("other")]);

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains($"{app.PlanPath}: error {ErrorCodes.PlanFingerprintMismatch}:", r.Error);
        Assert.All(Outputs, o => Assert.False(File.Exists(app.Out($"other/{o}")), o));
    }
}
