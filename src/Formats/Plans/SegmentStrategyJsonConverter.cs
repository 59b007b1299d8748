using System.Text.Json;
using System.Text.Json.Serialization;

namespace AutoCkpt.Formats.Plans;

/// <summary>A <see cref="SegmentStrategy"/> in JSON (the bench's measurement file): its name, read back through the registry.</summary>
internal sealed class SegmentStrategyJsonConverter : JsonConverter<SegmentStrategy>
{
    public override SegmentStrategy Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && SegmentStrategy.Named(reader.GetString()!) is { } strategy
            ? strategy
            : throw new JsonException($"expected a strategy name ({string.Join(", ", SegmentStrategy.All.Select(s => s.Name))}).");

    public override void Write(Utf8JsonWriter writer, SegmentStrategy value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name);
}
