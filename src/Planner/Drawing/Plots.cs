using OxyPlot;

namespace AutoCkpt.Planner.Drawing;

/// <summary>The look every AutoCkpt plot shares: white, a plain frame, greys for text, no interaction.</summary>
public static class Plots
{
    /// <summary>An empty plot with the shared look and an optional title.</summary>
    public static PlotModel Create(string? title = null) => new()
    {
        Title = title,
        TitleFontSize = 14,
        TitleHorizontalAlignment = TitleHorizontalAlignment.CenteredWithinView,
        Background = OxyColors.White,
        PlotAreaBorderColor = OxyColor.FromRgb(0x88, 0x88, 0x88),
        PlotAreaBorderThickness = new OxyThickness(0, 0, 0, 1),
        TextColor = OxyColor.FromRgb(0x22, 0x22, 0x22),
        Padding = new OxyThickness(8),
    };
}
