using System.Diagnostics;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Formats.Tests.Support;
using Xunit;

namespace AutoCkpt.Formats.Tests;

/// <summary>
/// Paths that are not regular files, and files past the size bound, are refused with the reader's code and never
/// read: /dev/zero made memory grow without bound, and a FIFO blocked for ever.
/// </summary>
public sealed class InputFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("autockpt-input-").FullName;

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    public void Given_a_device_When_read_as_a_profile_or_plan_Then_refused_at_once(string device)
    {
        AssertRefused(device, "not a regular file");
    }

    [Fact]
    public void Given_a_fifo_with_no_writer_When_read_Then_refused_without_blocking()
    {
        string fifo = Path.Combine(_folder, "fifo.yaml");
        using (var p = Process.Start(new ProcessStartInfo("mkfifo", [fifo]))!) p.WaitForExit();
        Assert.True(File.Exists(fifo));
        AssertRefused(fifo, "not a regular file");
    }

    [Fact]
    public void Given_a_link_to_dev_zero_When_read_Then_refused()
    {
        string link = Path.Combine(_folder, "zero.yaml");
        File.CreateSymbolicLink(link, "/dev/zero");
        AssertRefused(link, "not a regular file");
    }

    [Fact]
    public void Given_a_folder_When_read_Then_refused_as_a_folder() =>
        AssertRefused(_folder, "is a folder");

    [Fact]
    public void Given_a_file_past_the_size_bound_When_read_Then_refused_before_it_is_read()
    {
        string big = Path.Combine(_folder, "big.yaml");
        using (var f = File.Create(big)) f.SetLength(FileLimits.MaxFileBytes + 1);
        AssertRefused(big, $"more than the {FileLimits.MaxFileBytes} bytes");
    }

    [Fact]
    public void Given_bytes_that_are_not_utf8_When_read_Then_refused()
    {
        string bad = Path.Combine(_folder, "binary.yaml");
        File.WriteAllBytes(bad, [.. System.Text.Encoding.UTF8.GetBytes(Texts.ProfileText()), 0xC3, 0x28]);
        AssertRefused(bad, "not UTF-8");
    }

    [Fact]
    public void Given_a_file_with_a_byte_order_mark_When_read_Then_it_reads()
    {
        string path = Path.Combine(_folder, "bom.yaml");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(Texts.ProfileText())]);
        Assert.Equal("mlp", ProfileFile.Read(path).Target);
    }

    private static void AssertRefused(string path, string says)
    {
        var watch = Stopwatch.StartNew();
        var profile = Assert.Throws<AckptException>(() => ProfileFile.Read(path));
        var plan = Assert.Throws<AckptException>(() => PlanFile.Read(path));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal((ErrorCodes.ProfileMalformed, ErrorCodes.PlanMalformed), (profile.Code, plan.Code));
        Assert.Equal((path, path), (profile.File, plan.File));
        Assert.Contains(says, profile.Message);
        Assert.Contains(says, plan.Message);
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
