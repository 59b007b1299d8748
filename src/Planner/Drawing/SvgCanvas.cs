using System.Globalization;
using System.Net;
using System.Text;

namespace AutoCkpt.Planner.Drawing;

/// <summary>A minimal SVG writer: shapes and text in user units, formatted invariantly so files are stable.</summary>
internal sealed class SvgCanvas(double width, double height)
{
    private readonly StringBuilder _body = new();

    public double Width => width;

    public double Height => height;

    public void Rect(double x, double y, double w, double h, string fill, string? stroke = null, double opacity = 1) =>
        _body.Append($"<rect x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(Math.Max(0, w))}\" height=\"{N(Math.Max(0, h))}\" fill=\"{fill}\"{(stroke is null ? "" : $" stroke=\"{stroke}\"")}{(opacity < 1 ? $" fill-opacity=\"{N(opacity)}\"" : "")}/>\n");

    public void Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string? dash = null) =>
        _body.Append($"<line x1=\"{N(x1)}\" y1=\"{N(y1)}\" x2=\"{N(x2)}\" y2=\"{N(y2)}\" stroke=\"{stroke}\" stroke-width=\"{N(width)}\"{Dash(dash)}/>\n");

    public void Polyline(IEnumerable<(double X, double Y)> points, string stroke, double width, string? dash = null, double opacity = 1)
    {
        _body.Append("<polyline fill=\"none\" stroke-linejoin=\"round\" points=\"");
        foreach (var (x, y) in points) _body.Append(N(x)).Append(',').Append(N(y)).Append(' ');
        _body.Append($"\" stroke=\"{stroke}\" stroke-width=\"{N(width)}\"{Dash(dash)}{(opacity < 1 ? $" stroke-opacity=\"{N(opacity)}\"" : "")}/>\n");
    }

    public void Circle(double x, double y, double r, string fill) =>
        _body.Append($"<circle cx=\"{N(x)}\" cy=\"{N(y)}\" r=\"{N(r)}\" fill=\"{fill}\"/>\n");

    public void Text(double x, double y, string text, double size = 12, string anchor = "start", string fill = "#222", bool bold = false) =>
        _body.Append($"<text x=\"{N(x)}\" y=\"{N(y)}\" font-size=\"{N(size)}\" text-anchor=\"{anchor}\" fill=\"{fill}\"{(bold ? " font-weight=\"bold\"" : "")}>{WebUtility.HtmlEncode(text)}</text>\n");

    public override string ToString() =>
        $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{N(width)}\" height=\"{N(height)}\" viewBox=\"0 0 {N(width)} {N(height)}\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n" +
        $"<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{_body}</svg>\n";

    public static string N(double v) => double.IsFinite(v) ? Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture) : "0";

    private static string Dash(string? dash) => dash is null ? "" : $" stroke-dasharray=\"{dash}\"";
}

/// <summary>Maps data to a rectangle of the canvas and draws axes with round ticks.</summary>
internal sealed record ChartArea(double Left, double Top, double Width, double Height, double XMax, double YMin, double YMax)
{
    // A zero, denormal or non-finite range (a profile of zero or 5e-324 seconds) puts every point at the axis.
    public double X(double v) => Left + Width * Fraction(v, 0, XMax);

    public double Y(double v) => Top + Height * (1 - Fraction(v, YMin, YMax));

    private static double Fraction(double v, double lo, double hi)
    {
        double f = (v - lo) / (hi - lo);
        return double.IsFinite(f) ? f : 0;
    }

    public void Axes(SvgCanvas c, string xLabel, string yLabel, Func<double, string> xFormat, Func<double, string> yFormat)
    {
        foreach (double v in Ticks(YMin, YMax))
        {
            c.Line(Left, Y(v), Left + Width, Y(v), "#e6e6e6");
            c.Text(Left - 6, Y(v) + 4, yFormat(v), 11, "end", "#555");
        }
        foreach (double v in Ticks(0, XMax))
        {
            c.Line(X(v), Top + Height, X(v), Top + Height + 4, "#555");
            c.Text(X(v), Top + Height + 17, xFormat(v), 11, "middle", "#555");
        }
        c.Line(Left, Top + Height, Left + Width, Top + Height, "#555");
        c.Line(Left, Top, Left, Top + Height, "#555");
        c.Text(Left + Width / 2, Top + Height + 34, xLabel, 12, "middle", "#333");
        c.Text(Left - 48, Top - 10, yLabel, 12, "start", "#333");
    }

    /// <summary>The most ticks <see cref="Ticks"/> gives, whatever the range.</summary>
    private const int MaxTicks = 12;

    /// <summary>
    /// About six round tick values between lo and hi; just lo and hi when the range is too small or too large for round
    /// steps (a denormal span, where 10^⌊log10⌋ underflows to 0), none when it is empty or not finite.
    /// </summary>
    public static IEnumerable<double> Ticks(double lo, double hi)
    {
        double span = hi - lo;
        if (!(span > 0) || !double.IsFinite(span)) yield break;
        double raw = span / 6, mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * mag).FirstOrDefault(s => s >= raw);
        if (!(step > 0) || !double.IsFinite(step) || !double.IsNormal(raw))
        {
            yield return lo;
            yield return hi;
            yield break;
        }
        int count = 0;
        for (double v = Math.Ceiling(lo / step) * step; v <= hi + step * 1e-9 && count < MaxTicks; v += step, count++) yield return v;
    }
}
