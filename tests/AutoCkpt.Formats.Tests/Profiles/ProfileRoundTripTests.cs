using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Formats.Tests.Support;
using Xunit;

namespace AutoCkpt.Formats.Tests.Profiles;

/// <summary>Property: every valid profile the tool writes reads back to the same content, whatever its names and numbers.</summary>
public sealed class ProfileRoundTripTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Given_random_valid_profiles_When_formatted_and_parsed_Then_each_is_the_same_profile(int seed)
    {
        var random = new RandomFiles(seed);
        for (int i = 0; i < 250; i++)
        {
            var p = random.Profile();
            string header = random.Name();
            string text = ProfileFile.Format(p, header);
            Formats.Profiles.Profile back;
            try
            {
                back = ProfileFile.Parse(text, "random.profile.yaml");
            }
            catch (AckptException e)
            {
                Assert.Fail($"profile {i} of seed {seed} does not read back: {e}\n{text}");
                throw;
            }
            AssertSame(p, back, text);
            Assert.Equal(text, ProfileFile.Format(back, header));
        }
    }

    [Fact]
    public void Given_a_profile_with_odd_names_When_written_and_read_Then_it_is_the_same_profile()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("autockpt-roundtrip-").FullName, "p.yaml");
        var p = Texts.Profile() with { Target = "a \"[bold]\" target:\r\n# not a comment\u2028\u0085\0😀", Device = new DeviceInfo("cu: da", "{ x: 1 }") };
        ProfileFile.Write(path, p, header: p.Target);
        AssertSame(p, ProfileFile.Read(path), File.ReadAllText(path));
    }

    internal static void AssertSame(Formats.Profiles.Profile p, Formats.Profiles.Profile back, string text)
    {
        Assert.True(p.Target == back.Target, $"target {Show(p.Target)} read back as {Show(back.Target)} from\n{text}");
        Assert.Equal(p.Model, back.Model);
        Assert.Equal(p.Device, back.Device);
        Assert.Equal(p.Dtype, back.Dtype);
        Assert.Equal(p.BatchSize, back.BatchSize);
        Assert.Equal(p.FixedBytes, back.FixedBytes);
        Assert.Equal(p.Stages, back.Stages);
        Assert.Equal(p.Check, back.Check);
        Assert.Equal(p.StepTime, back.StepTime);
    }

    internal static string Show(string s) => string.Concat(s.Select(c => c < 0x20 || c > 0x7e ? $"\\u{(int)c:x4}" : c.ToString()));
}
