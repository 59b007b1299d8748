using OxyPlot;
using OxyPlot.Axes;

namespace AutoCkpt.Planner.Drawing;

/// <summary>
/// A linear axis whose major ticks are given, not computed by OxyPlot: ticks come from <see cref="NiceScale"/>, or are
/// the positions of named categories (the bench's bars), and are never more than a dozen or so.
/// </summary>
public sealed class TickedAxis : LinearAxis
{
    private readonly List<double> _ticks;

    /// <summary>An axis with major ticks (and gridlines) at <paramref name="ticks"/>; no minor ticks.</summary>
    public TickedAxis(IEnumerable<double> ticks)
    {
        _ticks = [.. ticks.Where(double.IsFinite)];
        MinimumPadding = 0;
        MaximumPadding = 0;
        MajorGridlineStyle = LineStyle.Solid;
        MajorGridlineColor = OxyColor.FromRgb(0xe6, 0xe6, 0xe6);
        MinorTickSize = 0;
        IsZoomEnabled = false;
        IsPanEnabled = false;
        TextColor = OxyColor.FromRgb(0x55, 0x55, 0x55);
        TitleColor = OxyColor.FromRgb(0x33, 0x33, 0x33);
        FontSize = 11;
        TitleFontSize = 12;
        AxisTitleDistance = 8;
    }

    /// <summary>The given ticks as major labels, ticks and gridlines.</summary>
    public override void GetTickValues(out IList<double> majorLabelValues, out IList<double> majorTickValues, out IList<double> minorTickValues)
    {
        majorLabelValues = [.. _ticks];
        majorTickValues = [.. _ticks];
        minorTickValues = [];
    }
}
