using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.MSBuild.Tests.Support;
using AutoCkpt.Testing;
using Xunit.Abstractions;

namespace AutoCkpt.MSBuild.Tests;

/// <summary>
/// Every planner property of the GeneratePlan task, given malformed values (<see cref="OptionMutator"/>) one at a time
/// with the others valid, through the task with a fake build engine and the real command line in this process. Each
/// gives a plan that reads back, or fails the task with coded errors only (never ACKPT062, an uncoded child failure,
/// nor ACKPT082, a bug), with the plan an earlier build left deleted and no temporary file left. A value the task
/// lets through must be one the command line accepts: a bad property is caught at the property (ACKPT060), not by
/// the planner. AUTOCKPT_FUZZ_COUNT and AUTOCKPT_FUZZ_SEED make a longer run.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class PropertyFuzzTests(ITestOutputHelper output)
{
    private static int Count => int.TryParse(Environment.GetEnvironmentVariable("AUTOCKPT_FUZZ_COUNT"), out int n) ? n : 12;
    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("AUTOCKPT_FUZZ_SEED"), out int s) ? s : 12;

    private static readonly Dictionary<string, string> Valid = new()
    {
        ["MemoryCap"] = "90%", ["Headroom"] = "1%", ["Solver"] = "exact", ["TimeLimit"] = "10", ["MaxSegment"] = "3",
    };

    public static TheoryData<string> Properties => [.. Valid.Keys];

    [Theory]
    [MemberData(nameof(Properties))]
    public void Given_malformed_values_of_a_planner_property_When_the_task_runs_Then_a_plan_or_coded_errors_and_no_stale_plan(string property)
    {
        var failures = new List<string>();
        var values = OptionMutator.Seeds.Concat(OptionMutator.Mutations(Valid[property], Count, Seed ^ property.Length)).Distinct().ToList();
        foreach (string value in values)
        {
            using var f = new TaskFixture();
            Directory.CreateDirectory(Path.GetDirectoryName(f.PlanPath)!);
            File.WriteAllText(f.PlanPath, "# a plan an earlier build made\n");
            var task = f.Task(InProcessCliRunner.Run, Valid["MemoryCap"]);
            task.Headroom = Valid["Headroom"];
            task.Solver = Valid["Solver"];
            task.TimeLimit = Valid["TimeLimit"];
            task.MaxSegment = Valid["MaxSegment"];
            typeof(GeneratePlan).GetProperty(property)!.SetValue(task, value);

            string why = Outcome(task, f);
            if (why.Length > 0) failures.Add($"{property} '{Show(value)}': {why}");
        }
        output.WriteLine($"{property}: {values.Count} values tried, {failures.Count} bad outcomes");
        Assert.True(failures.Count == 0, $"{failures.Count} bad outcomes for {property}:\n" + string.Join("\n", failures.Take(40)));
    }

    private static string Outcome(GeneratePlan task, TaskFixture f)
    {
        bool ok;
        try { ok = task.Execute(); }
        catch (Exception e) { return $"the task threw {e.GetType().Name}: {e.Message}"; }
        var errors = f.Engine.Errors;
        string leftovers = string.Join(", ", Directory.GetFiles(Path.GetDirectoryName(f.PlanPath)!).Where(p => p != f.PlanPath).Select(Path.GetFileName));
        if (leftovers.Length > 0) return $"left {leftovers}";
        if (ok)
        {
            if (errors.Count > 0) return "succeeded with errors";
            try { PlanFile.Read(f.PlanPath); return ""; }
            catch (AckptException e) { return $"succeeded but the plan does not read back: {e}"; }
        }
        if (errors.Count == 0) return "failed without an error";
        if (File.Exists(f.PlanPath)) return "failed and left the old plan";
        if (errors.FirstOrDefault(e => e.Code is null || !e.Code.StartsWith("ACKPT", StringComparison.Ordinal) || e.Code is "ACKPT062" or "ACKPT082") is { } bad)
            return $"failed with {bad.Code ?? "no code"}: {bad.Message}";
        // A headroom that takes the whole cap, or a percentage cap worth less than a byte, depends on the peak the profile
        // predicts, which the task cannot know.
        if (!errors.Any(e => e.Code == "ACKPT060")
            && errors.FirstOrDefault(e => e.Code is "ACKPT041" or "ACKPT044" or "ACKPT080" && !OnTheProfile(e.Message!)) is { } late)
            return $"the task let it through and the planner refused it: {late.Code}: {late.Message}";
        return "";
    }

    private static bool OnTheProfile(string message) =>
        message.Contains("leaves nothing of the memory cap", StringComparison.Ordinal) || message.Contains("is less than one byte", StringComparison.Ordinal);

    private static string Show(string v) => (v.Length > 40 ? v[..40] + "…" : v).Replace("\n", "\\n").Replace("\0", "\\0");
}
