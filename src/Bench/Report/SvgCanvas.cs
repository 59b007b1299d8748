using System.Globalization;
using System.Security;
using System.Text;

namespace AutoCkpt.Bench;

/// <summary>A minimal SVG writer: lines, polylines, rectangles and text in user units (pixels), invariant culture.</summary>
internal sealed class SvgCanvas
{
    private readonly StringBuilder _body = new();

    public SvgCanvas(double width, double height)
    {
        Width = width;
        Height = height;
        Rect(0, 0, width, height, "#ffffff");
    }

    public double Width { get; }
    public double Height { get; }

    public void Rect(double x, double y, double w, double h, string fill, string? stroke = null) =>
        _body.Append(F($"<rect x=\"{x:0.##}\" y=\"{y:0.##}\" width=\"{Math.Max(0, w):0.##}\" height=\"{Math.Max(0, h):0.##}\" fill=\"{fill}\"{(stroke is null ? "" : $" stroke=\"{stroke}\"")}/>\n"));

    public void Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string? dash = null) =>
        _body.Append(F($"<line x1=\"{x1:0.##}\" y1=\"{y1:0.##}\" x2=\"{x2:0.##}\" y2=\"{y2:0.##}\" stroke=\"{stroke}\" stroke-width=\"{width:0.##}\"{Dash(dash)}/>\n"));

    public void Polyline(IEnumerable<(double X, double Y)> points, string stroke, double width = 1.5, string? dash = null)
    {
        string pts = string.Join(' ', points.Select(p => F($"{p.X:0.##},{p.Y:0.##}")));
        if (pts.Length == 0) return;
        _body.Append(F($"<polyline points=\"{pts}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{width:0.##}\" stroke-linejoin=\"round\"{Dash(dash)}/>\n"));
    }

    public void Text(double x, double y, string text, double size = 12, string anchor = "start", string fill = "#222222", bool bold = false) =>
        _body.Append(F($"<text x=\"{x:0.##}\" y=\"{y:0.##}\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"{size:0.#}\" text-anchor=\"{anchor}\" fill=\"{fill}\"{(bold ? " font-weight=\"bold\"" : "")}>{SecurityElement.Escape(text)}</text>\n"));

    public override string ToString() =>
        F($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width:0}\" height=\"{Height:0}\" viewBox=\"0 0 {Width:0} {Height:0}\">\n") + _body + "</svg>\n";

    private static string Dash(string? dash) => dash is null ? "" : $" stroke-dasharray=\"{dash}\"";

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
