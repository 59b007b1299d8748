namespace AutoCkpt.Examples.ResNet.Model;

/// <summary>The shape of a residual network: a stem, levels of residual blocks that halve the resolution, a head.</summary>
/// <param name="ImageSize">Height and width of the square input images, in pixels.</param>
/// <param name="Widths">Channels per level; each level after the first halves the resolution.</param>
/// <param name="BlocksPerLevel">Residual blocks per level.</param>
/// <param name="Classes">Number of classes.</param>
public sealed record ResNetConfig(int ImageSize, IReadOnlyList<int> Widths, int BlocksPerLevel, int Classes)
{
    /// <summary>
    /// CPU size: 32x32 images, widths 16/32/64/128, two blocks per level. A first-level block keeps 8x the
    /// activation bytes of a last-level block for about the same arithmetic.
    /// </summary>
    public static ResNetConfig Small { get; } = new(32, [16, 32, 64, 128], 2, 10);

    /// <summary>GPU size: 128x128 images, widths 64/128/256/512, two blocks per level (ResNet-18's levels).</summary>
    public static ResNetConfig Large { get; } = new(128, [64, 128, 256, 512], 2, 10);
}
