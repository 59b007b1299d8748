using System.Globalization;

namespace AutoCkpt.Profiler.Host;

/// <summary>The host's arguments after the verb: "--name value" pairs, written by the tool, not by people.</summary>
internal sealed class HostArgs
{
    private readonly Dictionary<string, string> _values;

    private HostArgs(Dictionary<string, string> values) => _values = values;

    /// <summary>Parses "--name value" pairs; throws <see cref="HostUsageException"/> on anything else.</summary>
    public static HostArgs Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
                throw new HostUsageException($"expected '--name value' pairs, got '{args[i]}'");
            values[args[i][2..]] = args[i + 1];
        }
        return new HostArgs(values);
    }

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public string Require(string name) =>
        Get(name) ?? throw new HostUsageException($"missing --{name}");

    public int? GetInt(string name) =>
        Get(name) is { } s ? int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture) : null;
}

/// <summary>The host was started with arguments it does not understand (a tool/host mismatch, not a user error).</summary>
internal sealed class HostUsageException(string message) : Exception(message);
