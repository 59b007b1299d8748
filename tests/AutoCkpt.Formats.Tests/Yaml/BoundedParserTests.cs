using System.Diagnostics;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Formats.Tests.Support;
using Xunit;
using static AutoCkpt.Formats.Tests.Support.Texts;

namespace AutoCkpt.Formats.Tests.Yaml;

/// <summary>
/// Hostile YAML gets a coded error (ACKPT021 for profiles, ACKPT002 for plans) that names the file and the line, in
/// bounded time: before the bound, these inputs overflowed the stack, aborted, hung or threw uncoded exceptions.
/// </summary>
public sealed class BoundedParserTests
{
    public static TheoryData<string, string> Hostile() => new()
    {
        // Stack overflow before: the representation model recurses once per level.
        { "x: " + new string('[', 100_000) + new string(']', 100_000) + "\n", "nested more than 64 deep" },
        { "x: " + string.Concat(Enumerable.Repeat("{a: ", 10_000)) + "1" + new string('}', 10_000) + "\n", "nested more than 64 deep" },
        { "x: " + new string('[', 100_000) + "\n", "nested more than 64 deep" },
        // Recursive aliases aborted the process.
        { "x: &r [ *r ]\n", "alias *r" },
        { "x: &r { k: *r }\n", "alias *r" },
        // An alias of a list or mapping is refused, so no expansion (billion laughs) is ever walked.
        { "a: &a [1, 2]\nb: *a\n", "repeats a list or mapping" },
        { "x: *nowhere\n", "refers to no anchor" },
        // Lists and mappings as keys: a key is hashed over its whole expansion (the billion-laughs hang).
        { "? [1, 2]\n: x\n", "keys must be single values" },
        { "{ [1]: 2 }\n", "keys must be single values" },
        // A recursive alias used as a key overflowed the stack (checked on bfa0bcc).
        { "? &r [ *r ]\n: x\n", "keys must be single values" },
        { "? &r { k: *r }\n: x\n", "keys must be single values" },
        // Duplicate keys, several documents.
        { "format: a\nformat: b\n", "not valid YAML" },
        { "format: a\n---\nformat: b\n", "a second YAML document" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Given_hostile_yaml_as_a_profile_When_parsed_Then_a_coded_error_in_bounded_time(string text, string says) =>
        AssertQuickRefusal(profile: true, text, says);

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Given_hostile_yaml_as_a_plan_When_parsed_Then_a_coded_error_in_bounded_time(string text, string says) =>
        AssertQuickRefusal(profile: false, text, says);

    /// <summary>Inputs that gave uncoded InvalidOperationExceptions from YamlDotNet's scanner before (checked on bfa0bcc).</summary>
    [Theory]
    [InlineData("    output_bytes: 4096\n", "    recompute: { retained_bytes: 1, # a comment\n backward_transient_bytes: 0, backward_freed_bytes: 0 }\n    output_bytes: 4096\n")]
    [InlineData("batch: 64 }", "batch: 64")]
    [InlineData("batch_size: 16\n", "batch_size: 16\n  - : {\n")]
    public void Given_yaml_that_the_scanner_rejects_with_a_plain_exception_When_parsed_Then_ACKPT021_with_the_place(string line, string replacement)
    {
        var e = AssertQuickRefusal(profile: true, ReplaceFirst(ProfileText(), line, replacement), "not valid YAML");
        Assert.Matches(@"line \d+, column \d+", e.Message);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(9)]
    public void Given_a_billion_laughs_expansion_used_as_a_key_When_parsed_Then_it_is_refused_at_once(int depth)
    {
        var lines = new List<string> { "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]" };
        for (int k = 1; k < depth; k++) lines.Add($"l{k}: &l{k} [{string.Join(", ", Enumerable.Repeat($"*l{k - 1}", 9))}]");
        lines.Add($"? *l{depth - 1}\n: bomb");
        int profileLines = ProfileText().Count(c => c == '\n');
        var e = AssertQuickRefusal(profile: true, ProfileText() + string.Join("\n", lines) + "\n", "repeats a list or mapping");
        Assert.Contains($"line {profileLines + 2},", e.Message); // l1's first alias of l0, the line after l0
    }

    [Fact]
    public void Given_an_alias_of_a_single_value_When_parsed_Then_it_reads_as_that_value()
    {
        string text = ProfileText().Replace("target: \"mlp\"", "target: &t \"tied\"").Replace("name: \"2-core CPU\"", "name: *t");
        var p = ProfileFile.Parse(text, FileName);
        Assert.Equal(("tied", "tied"), (p.Target, p.Device.Name));
    }

    [Fact]
    public void Given_a_quoted_null_When_parsed_Then_it_is_the_text_null_not_a_missing_value()
    {
        var p = ProfileFile.Parse(ProfileText().Replace("name: \"2-core CPU\"", "name: \"null\""), FileName);
        Assert.Equal("null", p.Device.Name);
        Assert.Equal("", ProfileFile.Parse(ProfileText().Replace("name: \"2-core CPU\"", "name: null"), FileName).Device.Name);
    }

    [Fact]
    public void Given_more_text_than_the_bound_When_parsed_Then_refused_before_parsing()
    {
        string text = ProfileText() + "# " + new string('x', (int)FileLimits.MaxFileBytes) + "\n";
        AssertQuickRefusal(profile: true, text, "more than the");
    }

    private static AckptException AssertQuickRefusal(bool profile, string text, string says)
    {
        var watch = Stopwatch.StartNew();
        var e = AssertRefused(profile, text, says);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        return e;
    }
}
