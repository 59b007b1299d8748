using AutoCkpt.Profiler.Measuring;
using Xunit;

namespace AutoCkpt.Profiler.Tests.Measuring;

public sealed class MedianTests
{
    [Fact]
    public void Given_an_odd_count_When_the_median_is_taken_Then_it_is_the_middle_value() =>
        Assert.Equal(3.0, Median.Of(new List<double> { 9, 1, 3 }));

    [Fact]
    public void Given_an_even_count_of_seconds_When_the_median_is_taken_Then_it_is_the_mean_of_the_middle_two() =>
        Assert.Equal(2.5, Median.Of(new List<double> { 4, 1, 2, 3 }));

    [Fact]
    public void Given_an_even_count_of_bytes_When_the_median_is_taken_Then_it_is_the_lower_middle_value() =>
        Assert.Equal(2L, Median.Of(new List<long> { 4, 1, 2, 3 }));
}
