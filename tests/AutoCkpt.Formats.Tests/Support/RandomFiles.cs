using System.Text;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;

namespace AutoCkpt.Formats.Tests.Support;

/// <summary>
/// Random valid profiles and plans for property tests: names of any Unicode characters (controls, quotes, YAML and
/// markup specials, line separators, astral planes), numbers at and between the bounds, optional keys present or not.
/// </summary>
internal sealed class RandomFiles(int seed)
{
    private static readonly string[] Specials =
    [
        "\"", "'", "\\", ":", ": ", " #", "#", "[", "]", "{", "}", ",", "&a", "*a", "!", "|", ">", "%", "@", "`", "-", "? ", "---", "...",
        "\n", "\r", "\r\n", "\t", "\0", "\u0007", "\u001b", "\u007f", "\u0085", "\u00a0", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff",
        "😀", "中文", "עברית", "\u202e", "[bold]", "[/]", "<svg>", "&amp;", "null", "~", "true", "1e3", "0x10", " ", "  ",
    ];

    private readonly Random _rng = new(seed);

    public string Name()
    {
        if (_rng.Next(8) == 0) return Pick(["null", "~", "", "true", "cpu", "1", "-", "uniform_3", "a b", " lead", "trail "]);
        var sb = new StringBuilder();
        int parts = _rng.Next(0, 6);
        for (int i = 0; i < parts; i++)
            sb.Append(_rng.Next(3) switch
            {
                0 => Pick(Specials),
                1 => char.ConvertFromUtf32(_rng.Next(2) == 0 ? _rng.Next(0x20, 0x7f) : RandomScalar()),
                _ => "stage." + _rng.Next(100),
            });
        return sb.ToString();
    }

    public long Bytes(long max = FileLimits.MaxBytes) => _rng.Next(5) switch
    {
        0 => 0,
        1 => max,
        2 => _rng.NextInt64(0, 1 << 20),
        _ => _rng.NextInt64(0, max),
    };

    public long SignedBytes() => _rng.Next(2) == 0 ? Bytes() : -Bytes();

    public double Seconds(double max) => _rng.Next(6) switch
    {
        0 => 0,
        1 => FileLimits.MinPositiveSeconds,
        2 => max,
        3 => Math.Round(_rng.NextDouble(), _rng.Next(1, 8)),
        _ => Math.Clamp(Math.Exp(_rng.NextDouble() * (Math.Log(max) - Math.Log(FileLimits.MinPositiveSeconds)) + Math.Log(FileLimits.MinPositiveSeconds)), FileLimits.MinPositiveSeconds, max),
    };

    public bool Maybe() => _rng.Next(2) == 0;

    public Formats.Profiles.Profile Profile()
    {
        int n = _rng.Next(1, 12);
        return new Formats.Profiles.Profile
        {
            Target = Name(),
            Model = new ModelInfo(Name(), n),
            Device = new DeviceInfo(Name(), Name()),
            Dtype = Name(),
            BatchSize = _rng.Next(3) == 0 ? int.MaxValue : _rng.Next(1, 1024),
            FixedBytes = new FixedBytes(Bytes(), Bytes(), Bytes(), Bytes()),
            Stages = [.. Enumerable.Range(0, n).Select(_ => new StageProfile(Name(), Seconds(FileLimits.MaxStageSeconds), Seconds(FileLimits.MaxStageSeconds), Bytes(), Bytes(), Bytes(), Bytes())
            {
                BackwardFreedBytes = Maybe() ? SignedBytes() : 0,
                InputFreedBytes = Maybe() ? Bytes() : 0,
                InputHeldBytes = Maybe() ? Bytes() : 0,
                SavedOutputBytes = Maybe() ? Bytes() : 0,
                SavedOutputFreedEarlyBytes = Maybe() ? Bytes() : 0,
                Recompute = Maybe() ? new RecomputeFigures(Bytes(), Bytes(), SignedBytes()) : null,
                TidyAllowed = Maybe(),
                RecomputeAllowed = Maybe(),
            })],
            Check = Maybe() ? new ProfileCheck(Bytes(), Seconds(FileLimits.MaxSeconds))
            {
                StepSecondsSpread = Maybe() ? Seconds(FileLimits.MaxSeconds) : null,
                StageSecondsSpread = Maybe() ? Seconds(FileLimits.MaxSeconds) : null,
            } : null,
            StepTime = Maybe() ? new StepTimeFigures(Seconds(FileLimits.MaxSeconds), Seconds(FileLimits.MaxSeconds), Maybe() ? Seconds(FileLimits.MaxSeconds) : 0) : null,
        };
    }

    public Formats.Plans.Plan Plan()
    {
        int n = _rng.Next(1, 12);
        var segments = new List<Segment>();
        for (int first = 0; first < n;)
        {
            int last = _rng.Next(first, n);
            segments.Add(new Segment(first, last, Maybe() ? SegmentStrategy.Keep : SegmentStrategy.Recompute));
            first = last + 1;
        }
        long cap = Bytes(long.MaxValue) | 1, headroom = _rng.NextInt64(0, cap);
        bool verified = Maybe();
        return new Formats.Plans.Plan
        {
            CorrectionBytes = verified && Maybe() ? _rng.NextInt64(0, cap - headroom) : 0,
            Verified = verified ? new PlanVerification(Bytes(long.MaxValue), _rng.Next(1, 5), _rng.Next(1, 100), Name()) : null,
            Target = Name(),
            Model = new ModelInfo(Name(), n),
            Device = new DeviceInfo(Name(), Name()),
            BatchSize = _rng.Next(1, int.MaxValue),
            MemoryCapBytes = cap,
            HeadroomBytes = headroom,
            Predicted = Maybe() ? new Prediction(Bytes(long.MaxValue), Seconds(FileLimits.MaxSeconds), Seconds(FileLimits.MaxSeconds)) { FixedBytes = Maybe() ? Bytes(long.MaxValue) : null } : null,
            Solver = Maybe() ? new SolverInfo(Name(), Name(), Name(), Maybe() ? 0 : _rng.NextDouble() * Math.Pow(10, _rng.Next(-300, 300)), Seconds(FileLimits.MaxSeconds))
            {
                Bound = Maybe() ? Name() : null,
                LowerBoundSeconds = Maybe() ? Seconds(FileLimits.MaxSeconds) : null,
            } : null,
            Baselines = [.. Enumerable.Range(0, _rng.Next(4)).Select(_ => new Baseline(Name(), Bytes(long.MaxValue), Seconds(FileLimits.MaxSeconds)))],
            ProfilePath = Maybe() ? Name() : null,
            Sweep = [.. Enumerable.Range(0, _rng.Next(4)).Select(_ => new SweepPoint(Bytes(long.MaxValue), Bytes(long.MaxValue), Seconds(FileLimits.MaxSeconds))
            {
                UniformName = Maybe() ? Name() : null,
            }).Select(s => s.UniformName is null ? s : s with { UniformPeakBytes = Bytes(long.MaxValue), UniformStepSeconds = Seconds(FileLimits.MaxSeconds) })],
            Segments = segments,
        };
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

    // Any Unicode scalar value: no lone surrogates, which are not characters and have no UTF-8 form.
    private int RandomScalar()
    {
        int c = _rng.Next(0x80, 0x10FFFF);
        return c is >= 0xD800 and <= 0xDFFF ? c - 0x800 : c;
    }
}
