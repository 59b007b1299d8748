using System.Reflection;
using AutoCkpt.Formats;
using AutoCkpt.MSBuild.Options;

namespace AutoCkpt.MSBuild.Tests.Unit;

/// <summary>The task assembly copies a few things from AutoCkpt.Formats to stay dependency-free; these keep them in step.</summary>
public sealed class ContractTests
{
    [Fact]
    public void Given_the_task_codes_When_compared_with_ErrorCodes_Then_each_has_the_same_value()
    {
        var formats = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static).ToDictionary(f => f.Name, f => (string)f.GetValue(null)!);
        var task = typeof(GeneratePlan).Assembly.GetType("AutoCkpt.MSBuild.AckptCodes")!.GetFields(BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static);

        Assert.NotEmpty(task);
        Assert.All(task, f => Assert.Equal(formats[f.Name], (string)f.GetValue(null)!));
    }

    [Theory]
    [InlineData("6GiB")] [InlineData("512 MB")] [InlineData("8000000000")] [InlineData("60%")] [InlineData("1.5e3 kib")]
    [InlineData("0")] [InlineData("-1GiB")] [InlineData("6 GiBs")] [InlineData("GiB")] [InlineData("")] [InlineData("6 G")] [InlineData(".5TB")]
    [InlineData("20 MiB")] [InlineData("0.5")] [InlineData("1e19")] [InlineData("1EiB")] [InlineData("1048576TiB")] [InlineData("1048577TiB")]
    [InlineData("1e-300")] [InlineData("5e-324")] [InlineData("1e400")] [InlineData("1e6%")] [InlineData("2e6%")] [InlineData("1e400%")]
    public void Given_a_cap_When_checked_by_the_task_and_by_MemoryCap_Then_both_accept_or_both_reject(string cap)
    {
        bool formatsAccepts;
        try { MemoryCap.Parse(cap); formatsAccepts = true; }
        catch (AckptException) { formatsAccepts = false; }

        Assert.Equal(formatsAccepts, CapSyntax.Problem(cap) is null);
    }

    [Theory]
    [InlineData("2%")] [InlineData("0")] [InlineData("0%")] [InlineData("0 GiBs")] [InlineData("1MiB")] [InlineData("99.5%")]
    [InlineData("100%")] [InlineData("-1")] [InlineData("")] [InlineData("2 percent")] [InlineData("512 MB")]
    [InlineData("0.5")] [InlineData("1e19")] [InlineData("5e-324")] [InlineData("1e400%")] [InlineData("0 MiB")] [InlineData("1 MiB")]
    public void Given_a_headroom_When_checked_by_the_task_and_by_MemoryCap_Then_both_accept_or_both_reject(string headroom)
    {
        bool formatsAccepts;
        try { MemoryCap.ParseHeadroom(headroom); formatsAccepts = true; }
        catch (AckptException) { formatsAccepts = false; }

        Assert.Equal(formatsAccepts, CapSyntax.HeadroomProblem(headroom) is null);
    }

    [Theory]
    [InlineData("head")] [InlineData("blocks.*;head")] [InlineData("blocks.0, blocks.1")] [InlineData("*")]
    [InlineData("blocks 0")] [InlineData("a,,b")] [InlineData("head;")] [InlineData("x?")] [InlineData("\"a\"")]
    public void Given_no_tidy_patterns_When_checked_by_the_task_and_by_NoTidyPatterns_Then_both_accept_or_both_reject(string patterns)
    {
        bool formatsAccepts;
        try { NoTidyPatterns.Parse([patterns]); formatsAccepts = true; }
        catch (AckptException) { formatsAccepts = false; }

        Assert.Equal(formatsAccepts, PlanOptions.NoTidyProblem(patterns) is null);
    }

    [Fact]
    public void Given_the_default_plan_file_name_When_compared_with_the_props_Then_they_agree()
    {
        string props = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "MSBuild", "build", "AutoCkpt.MSBuild.props"));

        Assert.Contains($">{PlanFile.DefaultFileName}</AutoCkptPlanFile>", props);
    }
}
