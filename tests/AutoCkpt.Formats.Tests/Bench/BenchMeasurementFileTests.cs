using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Errors;
using Xunit;

namespace AutoCkpt.Formats.Tests.Bench;

/// <summary>The bench's measurement file is read within bounds too: anything but a measurement is ACKPT081.</summary>
public sealed class BenchMeasurementFileTests
{
    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/nonexistent/m.json")]
    [InlineData("garbage")]
    [InlineData("deep")]
    [InlineData("wrong type")]
    public void Given_something_that_is_not_a_measurement_When_read_Then_ACKPT081(string what)
    {
        string path = what;
        if (!what.StartsWith('/'))
        {
            path = Path.Combine(Directory.CreateTempSubdirectory("autockpt-bench-").FullName, "m.json");
            File.WriteAllText(path, what switch
            {
                "garbage" => "{ not json",
                "deep" => new string('[', 100_000),
                _ => "{\"strategies\": 3}",
            });
        }
        var e = Assert.Throws<AckptException>(() => BenchMeasurementFile.Read(path));
        Assert.Equal(ErrorCodes.BenchFailed, e.Code);
        Assert.Equal(path, e.File);
    }
}
