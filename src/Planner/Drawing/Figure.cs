using System.Text;
using System.Xml;
using OxyPlot;

namespace AutoCkpt.Planner.Drawing;

/// <summary>
/// One SVG picture drawn by OxyPlot: plots placed in rectangles of the picture, with titles, notes and legend keys
/// drawn between them through the same render context. <c>show --svg</c> and the bench both draw with it.
/// </summary>
/// <remarks>Coordinates are in pixels from the top left. Text is measured with OxyPlot's managed PDF metrics.</remarks>
public sealed class Figure
{
    /// <summary>The font family the picture names; where Arial is missing (Linux), viewers fall back to the wider DejaVu Sans.</summary>
    public const string Font = "Arial";

    private readonly MemoryStream _stream = new();
    private readonly XmlSafeContext _context;

    /// <summary>An empty white picture of <paramref name="width"/> by <paramref name="height"/> pixels.</summary>
    public Figure(double width, double height)
    {
        Width = width;
        Height = height;
        _context = new XmlSafeContext(_stream, width, height, new WideMeasure(width, height));
    }

    /// <summary>The picture's width in pixels.</summary>
    public double Width { get; }

    /// <summary>The picture's height in pixels.</summary>
    public double Height { get; }

    /// <summary>Lays out and draws <paramref name="plot"/> (axes, series, annotations, legend) in the given rectangle.</summary>
    public void Plot(PlotModel plot, double left, double top, double width, double height)
    {
        plot.DefaultFont = Font;
        IPlotModel model = plot;
        model.Update(true);
        model.Render(_context, new OxyRect(left, top, width, height));
    }

    /// <summary>Text whose baseline starts (or, by <paramref name="align"/>, centres or ends) at (x, y).</summary>
    public void Text(double x, double y, string text, double size = 12, bool bold = false, string color = "#222222", HorizontalAlignment align = HorizontalAlignment.Left) =>
        _context.DrawText(new ScreenPoint(x, y), text, OxyColor.Parse(color), Font, size, bold ? FontWeights.Bold : FontWeights.Normal, 0, align, VerticalAlignment.Bottom, null);

    /// <summary>A filled rectangle; zero or negative sizes draw nothing.</summary>
    public void Rect(double x, double y, double width, double height, string fill)
    {
        if (width > 0 && height > 0) _context.DrawRectangle(new OxyRect(x, y, width, height), OxyColor.Parse(fill), OxyColors.Undefined, 0, EdgeRenderingMode.Automatic);
    }

    /// <summary>A straight line, dashed when <paramref name="dash"/> is given (lengths in stroke widths).</summary>
    public void Line(double x1, double y1, double x2, double y2, string color, double thickness = 1, double[]? dash = null) =>
        _context.DrawLine([new ScreenPoint(x1, y1), new ScreenPoint(x2, y2)], OxyColor.Parse(color), thickness, EdgeRenderingMode.Automatic, dash, LineJoin.Round);

    /// <summary>
    /// A legend key: a short line in the series' style, its name (bold for the plan) and an optional note below, with
    /// room to the picture's right edge whatever the font the viewer substitutes.
    /// </summary>
    public void Key(double x, double y, string color, double thickness, double[]? dash, string name, string? note = null, bool bold = false)
    {
        Line(x, y - 4, x + 25, y - 4, color, thickness, dash);
        Text(x + 30, y, name, 12, bold);
        if (note is not null) Text(x + 30, y + 14, note, 11, color: "#555555");
    }

    /// <summary>Closes the picture and returns its SVG text (an <c>svg</c> root element, no XML declaration).</summary>
    public string ToSvg()
    {
        _context.Complete();
        _context.Flush();
        string svg = Encoding.UTF8.GetString(_stream.ToArray()).TrimStart('\uFEFF');
        // The XmlWriter under OxyPlot always declares the document; the picture is the svg element alone.
        return svg.StartsWith("<?xml", StringComparison.Ordinal) ? svg[(svg.IndexOf("?>", StringComparison.Ordinal) + 2)..].TrimStart() : svg;
    }

    /// <summary>Arial's metrics from OxyPlot's managed PDF context, widened and heightened so that DejaVu Sans fits too.</summary>
    private sealed class WideMeasure(double width, double height) : PdfRenderContext(width, height, OxyColors.White)
    {
        public override OxySize MeasureText(string text, string fontFamily, double fontSize, double fontWeight)
        {
            var size = base.MeasureText(text, fontFamily, fontSize, fontWeight);
            return new OxySize(size.Width * 1.25, size.Height * 1.1);
        }
    }

    /// <summary>
    /// OxyPlot's SVG context with text made fit for XML first: names from profiles and plans may hold control
    /// characters, which XML cannot carry; each becomes U+FFFD (as do lone surrogates).
    /// </summary>
    private sealed class XmlSafeContext(Stream stream, double width, double height, IRenderContext measure)
        : SvgRenderContext(stream, width, height, false, measure, OxyColors.White, true)
    {
        public override void DrawText(ScreenPoint p, string text, OxyColor fill, string fontFamily, double fontSize, double fontWeight, double rotate, HorizontalAlignment halign, VerticalAlignment valign, OxySize? maxSize) =>
            base.DrawText(p, XmlSafe(text), fill, fontFamily, fontSize, fontWeight, rotate, halign, valign, maxSize);

        private static string XmlSafe(string text)
        {
            if (text is null || !text.Any(c => !XmlConvert.IsXmlChar(c))) return text!;
            var sb = new StringBuilder(text.Length);
            for (int i = 0; i < text.Length; i++)
            {
                if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i])) { sb.Append(text, i++, 2); continue; }
                sb.Append(XmlConvert.IsXmlChar(text[i]) ? text[i] : '\uFFFD');
            }
            return sb.ToString();
        }
    }
}
