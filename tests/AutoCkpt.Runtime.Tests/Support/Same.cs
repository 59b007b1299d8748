using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Support;

/// <summary>Bit-for-bit comparisons of training traces.</summary>
internal static class Same
{
    public static void Bits(Tensor? expected, Tensor? actual, string what)
    {
        Assert.True(expected is null == actual is null, $"{what}: one side is missing");
        if (expected is null || actual is null) return;
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(BitEqual(expected, actual), $"{what} differs: max |diff| = {MaxDiff(expected, actual)}");
    }

    public static void Losses(TrainingTrace expected, TrainingTrace actual)
    {
        Assert.Equal(expected.Losses.Count, actual.Losses.Count);
        for (int i = 0; i < expected.Losses.Count; i++)
            Bits(expected.Losses[i], actual.Losses[i], $"loss at step {i}");
    }

    public static void Gradients(TrainingTrace expected, TrainingTrace actual)
    {
        Assert.Equal(expected.Gradients.Count, actual.Gradients.Count);
        for (int step = 0; step < expected.Gradients.Count; step++)
        {
            Assert.Equal(expected.Gradients[step].Count, actual.Gradients[step].Count);
            for (int p = 0; p < expected.Gradients[step].Count; p++)
                Bits(expected.Gradients[step][p], actual.Gradients[step][p], $"gradient of parameter {p} at step {step}");
        }
    }

    public static void Buffers(TrainingTrace expected, TrainingTrace actual)
    {
        Assert.Equal(expected.Buffers.Count, actual.Buffers.Count);
        for (int i = 0; i < expected.Buffers.Count; i++)
            Bits(expected.Buffers[i], actual.Buffers[i], $"buffer {i}");
    }

    public static void Parameters(TrainingTrace expected, TrainingTrace actual)
    {
        Assert.Equal(expected.Parameters.Count, actual.Parameters.Count);
        for (int i = 0; i < expected.Parameters.Count; i++)
            Bits(expected.Parameters[i], actual.Parameters[i], $"parameter {i}");
    }

    /// <summary>Losses, gradients at every step, final parameters, buffers and the CPU random state.</summary>
    public static void Training(TrainingTrace expected, TrainingTrace actual)
    {
        Losses(expected, actual);
        Gradients(expected, actual);
        Parameters(expected, actual);
        Buffers(expected, actual);
        Bits(expected.RngStateAfter, actual.RngStateAfter, "CPU random state after training");
    }

    /// <summary>Byte-for-byte equality of the tensors' contents (so -0.0 differs from 0.0, and NaN equals itself).</summary>
    public static bool BitEqual(Tensor a, Tensor b)
    {
        using var ac = a.contiguous();
        using var bc = b.contiguous();
        return ac.bytes.SequenceEqual(bc.bytes);
    }

    private static double MaxDiff(Tensor a, Tensor b) =>
        a.is_floating_point() ? (a - b).abs().max().to(float64).item<double>() : double.NaN;
}
