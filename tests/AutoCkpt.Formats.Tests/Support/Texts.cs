using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using Xunit;

namespace AutoCkpt.Formats.Tests.Support;

/// <summary>Valid texts to break, and the assertion every bad input must meet: a coded error naming the file.</summary>
internal static class Texts
{
    public const string FileName = "hostile.yaml";

    public static Profile Profile(int stages = 2) => new()
    {
        Target = "mlp",
        Model = new ModelInfo("sha256:abc", stages),
        Device = new DeviceInfo("cpu", "2-core CPU"),
        BatchSize = 16,
        FixedBytes = new FixedBytes(1000, 1000, 2000, 64),
        Stages = [.. Enumerable.Range(0, stages).Select(i => new StageProfile($"{i}", 0.001, 0.002, 4096, 8192, 128, 256))],
    };

    public static string ProfileText(int stages = 2) => ProfileFile.Format(Profile(stages));

    public static Plan Plan() => new()
    {
        Target = "mlp",
        Model = new ModelInfo("sha256:abc", 2),
        Device = new DeviceInfo("cpu", "2-core CPU"),
        BatchSize = 16,
        MemoryCapBytes = 1_000_000,
        HeadroomBytes = 20_000,
        Segments = [new Segment(0, 0, SegmentStrategy.Recompute), new Segment(1, 1, SegmentStrategy.Keep)],
    };

    public static string PlanText() => PlanFile.Format(Plan());

    /// <summary>Parses as a profile or a plan and asserts a coded error that names the file and says <paramref name="says"/>.</summary>
    public static AckptException AssertRefused(bool profile, string text, string? says = null)
    {
        var e = Assert.Throws<AckptException>(() => { if (profile) ProfileFile.Parse(text, FileName); else PlanFile.Parse(text, FileName); });
        Assert.Equal(profile ? ErrorCodes.ProfileMalformed : ErrorCodes.PlanMalformed, e.Code);
        Assert.Equal(FileName, e.File);
        if (says is not null) Assert.Contains(says, e.Message);
        return e;
    }

    public static string ReplaceFirst(string text, string find, string replacement)
    {
        int i = text.IndexOf(find, StringComparison.Ordinal);
        Assert.True(i >= 0, $"'{find}' not in the text");
        return text[..i] + replacement + text[(i + find.Length)..];
    }
}
