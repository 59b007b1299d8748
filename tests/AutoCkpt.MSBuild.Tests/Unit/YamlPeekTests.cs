using AutoCkpt.MSBuild.Checks;

namespace AutoCkpt.MSBuild.Tests.Unit;

public sealed class YamlPeekTests
{
    [Fact]
    public void Given_flow_maps_as_ProfileFile_writes_them_When_peeked_Then_values_are_unquoted()
    {
        string text = "format: autockpt-profile/1\nmodel: { fingerprint: \"sha256:ab,c\", stages: 2 }\ndevice: { type: cuda, name: \"NVIDIA H100, 80GB\" }\n";

        Assert.Equal("cuda", YamlPeek.Find(text, "device", "type"));
        Assert.Equal("sha256:ab,c", YamlPeek.Find(text, "model", "fingerprint"));
        Assert.Equal("NVIDIA H100, 80GB", YamlPeek.Find(text, "device", "name"));
    }

    [Fact]
    public void Given_block_maps_with_comments_and_CRLF_When_peeked_Then_the_nested_key_is_found()
    {
        string text = "# header\r\nmodel:\r\n  fingerprint: sha256:00   # same as the plan\r\n  stages: 24\r\ndevice:\r\n  name: 'x'\r\n  type: cpu\r\n";

        Assert.Equal("sha256:00", YamlPeek.Find(text, "model", "fingerprint"));
        Assert.Equal("cpu", YamlPeek.Find(text, "device", "type"));
    }

    [Fact]
    public void Given_the_key_under_another_parent_or_absent_When_peeked_Then_null()
    {
        string text = "stages:\n  - name: a\n    type: cuda\ndevice: { name: x }\n";

        Assert.Null(YamlPeek.Find(text, "device", "type"));
        Assert.Null(YamlPeek.Find(text, "model", "fingerprint"));
    }

    [Fact]
    public void Given_the_repo_profile_asset_When_peeked_Then_device_and_fingerprint_are_read()
    {
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "assets", "tiny.profile.yaml"));

        Assert.Equal(("cpu", "sha256:7e1d0c0ffee"), (YamlPeek.Find(text, "device", "type"), YamlPeek.Find(text, "model", "fingerprint")));
    }

    [Fact]
    public void Given_top_level_scalars_When_peeked_Then_quoted_and_plain_values_are_read_and_maps_are_not()
    {
        string text = "format: autockpt-profile/1 # tag\ntarget: \"gpt2-small\"\nmodel: { stages: 2 }\ndevice:\n  type: cpu\n";

        Assert.Equal("gpt2-small", YamlPeek.FindTopLevel(text, "target"));
        Assert.Equal("autockpt-profile/1", YamlPeek.FindTopLevel(text, "format"));
        Assert.Null(YamlPeek.FindTopLevel(text, "model"));
        Assert.Null(YamlPeek.FindTopLevel(text, "device"));
        Assert.Null(YamlPeek.FindTopLevel(text, "type"));
    }
}
