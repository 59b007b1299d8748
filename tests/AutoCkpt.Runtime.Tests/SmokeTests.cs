using TorchSharp;
using Xunit;

namespace AutoCkpt.Runtime.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Given_the_default_build_When_a_tensor_is_made_Then_libtorch_loads()
    {
        using var t = torch.ones(2, 3);
        Assert.Equal(6.0f, t.sum().item<float>());
    }
}
