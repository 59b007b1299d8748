using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Formats.Tests.Support;
using AutoCkpt.Formats.Yaml;
using Xunit;

namespace AutoCkpt.Formats.Tests.Yaml;

/// <summary>
/// The fast reader for the files AutoCkpt writes (SimpleYamlReader) against the full YAML parser: text with CRLF line
/// ends is outside the fast reader's subset, so the same text read both ways must give the same profile or the same
/// coded error, on valid profiles and on randomly damaged ones. The tests also see which path each text took: the
/// profiles AutoCkpt writes with plain names read fast (else the comparison would test the full parser against itself),
/// and the texts outside the subset do not.
/// </summary>
public sealed class SimpleYamlReaderTests
{
    private const string File = "x.profile.yaml";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Given_profiles_and_damaged_profiles_When_read_fast_and_in_full_Then_both_give_the_same_result(int seed)
    {
        var random = new RandomFiles(seed);
        var rng = new Random(seed);
        var plain = new[] { "name", "s.1", "cpu", "x_y", "1.5", "-3" };
        for (int i = 0; i < 200; i++)
        {
            var p = random.Profile();
            // Plain strings too (every name, the fingerprint, the device and the dtype), so that half the texts are
            // in the fast reader's subset: random strings carry escapes, which it leaves to the full parser.
            bool plainNames = i % 2 == 0;
            if (plainNames)
                p = p with
                {
                    Target = plain[i % plain.Length],
                    Model = p.Model with { Fingerprint = "sha256:" + plain[(i + 1) % plain.Length] },
                    Device = new DeviceInfo(plain[(i + 2) % plain.Length], plain[(i + 3) % plain.Length]),
                    Dtype = "float32",
                    Stages = [.. p.Stages.Select((s, k) => s with { Name = plain[(i + k) % plain.Length] })],
                };
            string text = ProfileFile.Format(p, "header");
            if (plainNames)
                Assert.True(SimpleYamlReader.TryParse(text) is not null, $"a profile with plain names did not read fast:\n{text}");
            Assert.Null(SimpleYamlReader.TryParse(text.Replace("\n", "\r\n")));
            Same(text);
            Same(Damage(text, rng));
        }
    }

    [Theory]
    [InlineData("stages:\n")]                          // a key with nothing below is null
    [InlineData("format: autockpt-profile/1\nformat: autockpt-profile/1\n")] // a duplicate key
    [InlineData("format: null\n")]
    [InlineData("format: ~\n")]
    [InlineData("x: { a: 1, a: 2 }\n")]
    [InlineData("x: {}\n")]
    [InlineData("stages:\n  - a: 1\n   b: 2\n")]
    [InlineData("stages:\n- a: 1\n")]
    [InlineData("x: \"a\\\"b\"\n")]
    [InlineData("x: 1 # comment\n")]
    [InlineData("x: &a 1\ny: *a\n")]
    [InlineData("x: |\n  text\n")]
    [InlineData("---\nx: 1\n")]
    public void Given_YAML_outside_the_subset_When_read_Then_the_result_is_the_full_parsers(string text)
    {
        Assert.Null(SimpleYamlReader.TryParse(text));
        Same(text);
    }

    private static void Same(string text)
    {
        string full = text.Replace("\n", "\r\n");
        var (fast, fastError) = Read(text);
        var (slow, slowError) = Read(full);
        Assert.True((fastError is null) == (slowError is null), $"fast: {fastError?.Message ?? "read"}; full: {slowError?.Message ?? "read"}\n{text}");
        if (fastError is null)
            Assert.Equal(ProfileFile.Format(slow!), ProfileFile.Format(fast!));
        else
            Assert.Equal((slowError!.Code, slowError.Message), (fastError.Code, fastError.Message));
    }

    private static (Profile?, AckptException?) Read(string text)
    {
        try
        {
            return (ProfileFile.Parse(text, File), null);
        }
        catch (AckptException e)
        {
            return (null, e);
        }
    }

    /// <summary>One random edit: a line dropped or doubled, an indent changed, or a character replaced or inserted.</summary>
    private static string Damage(string text, Random rng)
    {
        var lines = text.Split('\n').ToList();
        int at = rng.Next(lines.Count);
        string[] chars = [" ", ":", "-", "\"", "#", "{", "}", ",", "x", "0", "~", "\t", ": ", "- "];
        switch (rng.Next(5))
        {
            case 0: lines.RemoveAt(at); break;
            case 1: lines.Insert(at, lines[at]); break;
            case 2: lines[at] = (rng.Next(2) == 0 ? " " : "") + (lines[at].StartsWith(' ') && rng.Next(2) == 0 ? lines[at][1..] : lines[at]); break;
            default:
                var line = lines[at];
                int c = rng.Next(line.Length + 1);
                string ch = chars[rng.Next(chars.Length)];
                lines[at] = rng.Next(2) == 0 || c == line.Length ? line.Insert(c, ch) : line[..c] + ch + line[(c + 1)..];
                break;
        }
        return string.Join('\n', lines);
    }
}
