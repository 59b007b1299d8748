using System.Text;

namespace AutoCkpt.Fuzz.Mutation;

/// <summary>
/// Derives malformed inputs from valid ones: one to three text operators (<see cref="YamlMutations"/>), and now and
/// then a byte operator (<see cref="BinaryMutations"/>). Deterministic for a seed. Other fuzzers can pass their own
/// operators, e.g. over command lines: <c>new Mutator([("cap", (t, r) =&gt; ValueMutations.Any(r, t))], [])</c>.
/// </summary>
public sealed class Mutator
{
    private readonly IReadOnlyList<(string Name, Func<string, Random, string> Apply)> _text;
    private readonly IReadOnlyList<(string Name, Func<byte[], Random, byte[]> Apply)> _bytes;

    /// <summary>A mutator over the given text and byte operators.</summary>
    public Mutator(IReadOnlyList<(string Name, Func<string, Random, string> Apply)> text, IReadOnlyList<(string Name, Func<byte[], Random, byte[]> Apply)> bytes)
    {
        _text = text;
        _bytes = bytes;
    }

    /// <summary>The YAML file mutator: every operator of <see cref="YamlMutations"/> and <see cref="BinaryMutations"/>.</summary>
    public static Mutator ForYaml() => new(YamlMutations.All, BinaryMutations.All);

    /// <summary>One mutant of <paramref name="seed"/>.</summary>
    public Mutant Mutate(string seed, Random rng)
    {
        int stack = rng.NextDouble() switch { < 0.6 => 1, < 0.9 => 2, _ => 3 };
        var names = new List<string>();
        string text = seed;
        for (int k = 0; k < stack; k++)
        {
            var (name, apply) = _text[rng.Next(_text.Count)];
            text = apply(text, rng);
            names.Add(name);
        }
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        if (_bytes.Count > 0 && rng.NextDouble() < 0.08)
        {
            var (name, apply) = _bytes[rng.Next(_bytes.Count)];
            bytes = apply(bytes, rng);
            names.Add(name);
        }
        return new Mutant(string.Join('+', names), bytes);
    }
}
