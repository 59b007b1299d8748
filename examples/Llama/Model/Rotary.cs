using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.Llama.Model;

/// <summary>Rotary position embeddings: the cos and sin tables, made once per forward, and their application to q and k.</summary>
public static class Rotary
{
    /// <summary>cos and sin tables of shape (tokens, headSize), the frequencies repeated over both halves.</summary>
    public static (Tensor Cos, Tensor Sin) Tables(long tokens, int headSize, double theta, Device device)
    {
        using var scope = NewDisposeScope();
        var inverse = pow(theta, arange(0, headSize, 2, dtype: float32, device: device) / headSize).reciprocal();
        var angles = outer(arange(tokens, dtype: float32, device: device), inverse);
        var both = cat([angles, angles], -1);
        return (both.cos().MoveToOuterDisposeScope(), both.sin().MoveToOuterDisposeScope());
    }

    /// <summary>Rotates <paramref name="x"/> (batch, heads, tokens, headSize) by the tables.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        long half = x.shape[^1] / 2;
        var rotated = cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
        return x * cos + rotated * sin;
    }
}
