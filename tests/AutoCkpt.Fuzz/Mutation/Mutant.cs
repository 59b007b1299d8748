using System.Text;

namespace AutoCkpt.Fuzz.Mutation;

/// <summary>One mutated input: the operators applied, in order, and the bytes to write.</summary>
/// <param name="Operators">The names of the operators applied, e.g. "replace-value:extreme-number+truncate".</param>
/// <param name="Bytes">The file's content (not always UTF-8: the binary operators write raw bytes).</param>
public sealed record Mutant(string Operators, byte[] Bytes)
{
    /// <summary>A mutant of UTF-8 text.</summary>
    public static Mutant OfText(string operators, string text) => new(operators, Encoding.UTF8.GetBytes(text));
}
