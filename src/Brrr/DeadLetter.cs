using System.Globalization;
using System.Text.Json;

namespace Brrr;

/// <summary>
/// A queue message that failed for good, kept with its error so that nothing is lost: a worker pushes it, as a JSON
/// object, to the dead-letter topic of the topic it came from (<see cref="TopicOf"/>). Fix the cause (deploy the
/// missing task, repair the record), then push <see cref="Message"/> back to <see cref="Topic"/> to run it again.
/// </summary>
/// <param name="Topic">The topic the message came from.</param>
/// <param name="Message">The raw queue message, unchanged; only the first <see cref="KeptChars"/> characters of a message over
/// the size limit (then <see cref="MessageBytes"/> holds its full size).</param>
/// <param name="ErrorType">The full name of the error's type (for example <c>Brrr.TaskFailedException</c>).</param>
/// <param name="Error">The error's message.</param>
/// <param name="RootId">The workflow root, when the message could be decoded.</param>
/// <param name="CallHash">The call, when the message could be decoded.</param>
/// <param name="TaskName">The task, when the call record could be read.</param>
/// <param name="Attempts">How many times this worker ran or tried the message before giving up.</param>
/// <param name="FailedAt">When the worker gave up.</param>
public sealed record DeadLetter(
    string Topic, string Message, string ErrorType, string Error, string? RootId, string? CallHash, string? TaskName,
    int Attempts, DateTimeOffset FailedAt)
{
    /// <summary>How many characters of a message over <see cref="BrrrLimits.MaxMessageBytes"/> a dead letter keeps.</summary>
    public const int KeptChars = 1024;

    /// <summary>The full size in UTF-8 bytes of a message that was too large to keep whole (<c>message_bytes</c>); <c>null</c> when <see cref="Message"/> is whole.</summary>
    public long? MessageBytes { get; init; }

    /// <summary>The dead-letter topic of <paramref name="topic"/>: the topic name followed by <paramref name="suffix"/>.</summary>
    public static string TopicOf(string topic, string suffix)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentException.ThrowIfNullOrEmpty(suffix);
        return topic + suffix;
    }

    /// <summary>
    /// The dead letter of <paramref name="message"/> from <paramref name="topic"/>, which failed with <paramref name="error"/>.
    /// A message over <paramref name="limits"/>' <see cref="BrrrLimits.MaxMessageBytes"/> is kept as its first
    /// <see cref="KeptChars"/> characters and its size, and the error says so.
    /// </summary>
    public static DeadLetter Of(string topic, string message, Exception error, string? rootId, string? callHash, string? taskName, int attempts, BrrrLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(error);
        var type = error.GetType().FullName ?? error.GetType().Name;
        if ((limits ?? BrrrLimits.Default).IsOversized(message, out var bytes))
        {
            var kept = LogText.Prefix(message, KeptChars);
            var note = $" The dead letter keeps only the first {kept.Length} characters of the {bytes}-byte message (message_bytes).";
            return new DeadLetter(topic, kept, type, error.Message + note, rootId, callHash, taskName, attempts, DateTimeOffset.UtcNow) { MessageBytes = bytes };
        }

        return new DeadLetter(topic, message, type, error.Message, rootId, callHash, taskName, attempts, DateTimeOffset.UtcNow);
    }

    /// <summary>The JSON object pushed to the dead-letter topic (snake_case keys, <c>failed_at</c> in ISO 8601 UTC).</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("topic", Topic);
            json.WriteString("message", Message);
            if (MessageBytes is { } bytes)
            {
                json.WriteNumber("message_bytes", bytes);
            }

            json.WriteString("error_type", ErrorType);
            json.WriteString("error", Error);
            WriteOptional(json, "root_id", RootId);
            WriteOptional(json, "call_hash", CallHash);
            WriteOptional(json, "task_name", TaskName);
            json.WriteNumber("attempts", Attempts);
            json.WriteString("failed_at", FailedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads a dead letter written by <see cref="ToJson"/>.</summary>
    /// <exception cref="ProtocolException"><paramref name="json"/> is not a dead letter; the message says what is wrong.</exception>
    public static DeadLetter Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ProtocolException($"A dead letter is a JSON object, got {root.ValueKind}.");
            }

            return new DeadLetter(
                Required(root, "topic"), Required(root, "message"), Required(root, "error_type"), Required(root, "error"),
                Optional(root, "root_id"), Optional(root, "call_hash"), Optional(root, "task_name"),
                root.TryGetProperty("attempts", out var attempts) && attempts.ValueKind == JsonValueKind.Number && attempts.TryGetInt32(out var n)
                    ? n
                    : throw Missing("attempts"),
                DateTimeOffset.Parse(Required(root, "failed_at"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal))
            {
                MessageBytes = root.TryGetProperty("message_bytes", out var size) && size.ValueKind == JsonValueKind.Number && size.TryGetInt64(out var b) ? b : null,
            };
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new ProtocolException($"Not a dead letter: {e.Message}", e);
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static string Required(JsonElement root, string name) =>
        Optional(root, name) ?? throw Missing(name);

    private static string? Optional(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static ProtocolException Missing(string name) => new($"A dead letter needs the field '{name}' (see DeadLetter.ToJson).");
}
