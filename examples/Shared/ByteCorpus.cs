using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Examples;

/// <summary>Byte-level tokens of a text, batched as random windows: the target is the input shifted by one byte.</summary>
public sealed class ByteCorpus
{
    private readonly byte[] bytes;
    private readonly Random random;

    /// <summary>Tokenises <paramref name="text"/> as UTF-8 bytes; <paramref name="seed"/> fixes the window order.</summary>
    public ByteCorpus(string text, long seed)
    {
        bytes = System.Text.Encoding.UTF8.GetBytes(text);
        random = new Random(unchecked((int)seed));
    }

    /// <summary>The public-domain text shipped with the examples (examples/Shared/Data/corpus.txt, about 8 KB).</summary>
    public static string EmbeddedText()
    {
        var assembly = typeof(ByteCorpus).Assembly;
        using var stream = assembly.GetManifestResourceStream("AutoCkpt.Examples.corpus.txt")
            ?? throw new InvalidOperationException("the embedded corpus is missing from " + assembly.GetName().Name);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Number of byte tokens.</summary>
    public int Length => bytes.Length;

    /// <summary>
    /// <paramref name="batchSize"/> random windows of <paramref name="tokens"/> bytes: input and target, both
    /// (batch, tokens) int64 on <paramref name="device"/>.
    /// </summary>
    public (Tensor Input, Tensor Target) Batch(int batchSize, int tokens, Device device)
    {
        if (tokens + 1 > bytes.Length)
            throw new ArgumentOutOfRangeException(nameof(tokens), $"the corpus has only {bytes.Length} bytes.");
        var input = new long[batchSize * tokens];
        var target = new long[batchSize * tokens];
        for (int b = 0; b < batchSize; b++)
        {
            int start = random.Next(0, bytes.Length - tokens);
            for (int t = 0; t < tokens; t++)
            {
                input[b * tokens + t] = bytes[start + t];
                target[b * tokens + t] = bytes[start + t + 1];
            }
        }
        return (tensor(input, [batchSize, tokens]).to(device), tensor(target, [batchSize, tokens]).to(device));
    }
}
