using System.Globalization;
using System.Text.Json;

namespace Brrr;

/// <summary>
/// The record a worker stores under a call's <c>error</c> key (<see cref="MemKey.ErrorOf"/>) when the call failed for
/// good: what failed, how, and the chain of causes (the children whose failure made it fail, nearest first). Only
/// BrrrAkka reads it; the reference workers never look at the key. Stored as a JSON object with snake_case keys. Its
/// size is bounded: the message keeps at most <see cref="MaxMessageChars"/> characters, each cause's message at most
/// <see cref="MaxCauseMessageChars"/>, and the chain at most <see cref="MaxCauses"/> entries (the deeper ones are in
/// the records of the causes kept), so a record stays under about 8 KB.
/// </summary>
/// <param name="TaskName">The task of the failed call.</param>
/// <param name="CallHash">The failed call.</param>
/// <param name="ErrorType">The full name of the error's type (for a task that threw, the type it threw).</param>
/// <param name="Message">The error's message.</param>
/// <param name="Attempts">How many runs failed before the call failed for good.</param>
/// <param name="FailedAt">When it failed for good.</param>
/// <param name="RootId">The workflow root of the run that failed.</param>
/// <param name="Causes">The failed children behind this failure, nearest first, each followed by its own causes; empty for a call that failed by itself.</param>
public sealed record ErrorRecord(
    string TaskName, string CallHash, string ErrorType, string Message, int Attempts, DateTimeOffset FailedAt, string RootId,
    IReadOnlyList<ErrorCause> Causes)
{
    /// <summary>The most characters of <see cref="Message"/> kept.</summary>
    public const int MaxMessageChars = 2048;

    /// <summary>The most characters of a cause's message kept.</summary>
    public const int MaxCauseMessageChars = 200;

    /// <summary>The most causes kept.</summary>
    public const int MaxCauses = 16;

    /// <summary>This failure as a cause of its parent's: task, call hash, error type and message.</summary>
    public ErrorCause AsCause => new(TaskName, CallHash, ErrorType, LogText.Prefix(Message, MaxCauseMessageChars));

    /// <summary>The failure that started the chain: the last cause, or this record when it has none.</summary>
    public ErrorCause RootCause => Causes.Count > 0 ? Causes[^1] : AsCause;

    /// <summary>
    /// A record with its message and chain cut to the bounds: the first <see cref="MaxCauses"/> distinct causes (by
    /// call hash) are kept.
    /// </summary>
    public ErrorRecord Bounded()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var causes = Causes.Where(c => seen.Add(c.CallHash)).Take(MaxCauses)
            .Select(c => c with { Message = LogText.Prefix(c.Message, MaxCauseMessageChars) }).ToArray();
        return this with { Message = LogText.Prefix(Message, MaxMessageChars), Causes = causes };
    }

    /// <summary>
    /// The record of <paramref name="callHash"/> (task <paramref name="taskName"/>, root <paramref name="rootId"/>),
    /// which failed for good with <paramref name="error"/> after <paramref name="attempts"/> runs, bounded. A task that
    /// threw is recorded with what it threw; one that let a <see cref="ChildFailedException"/> (or a
    /// <see cref="ChildrenFailedException"/>) escape has the failed children's chains as its causes.
    /// </summary>
    public static ErrorRecord Of(string taskName, string callHash, string rootId, Exception error, int attempts, DateTimeOffset failedAt)
    {
        ArgumentNullException.ThrowIfNull(error);
        var cause = error is TaskFailedException { InnerException: { } thrown } ? thrown : error;
        IReadOnlyList<ErrorCause> causes = cause switch
        {
            ChildFailedException child => child.Chain,
            ChildrenFailedException children => children.Failures.SelectMany(f => f.Chain).ToArray(),
            _ => [],
        };
        var type = cause.GetType().FullName ?? cause.GetType().Name;
        return new ErrorRecord(taskName, callHash, type, cause.Message, attempts, failedAt, rootId, causes).Bounded();
    }

    /// <summary>Whether <paramref name="error"/> is a task that failed only because a child failed for good (never worth a retry).</summary>
    public static bool IsChildFailure(Exception error) =>
        error is TaskFailedException { InnerException: ChildFailedException or ChildrenFailedException };

    /// <summary>The stored bytes: UTF-8 JSON (snake_case keys, <c>failed_at</c> in ISO 8601 UTC).</summary>
    public byte[] Encode()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("task_name", TaskName);
            json.WriteString("call_hash", CallHash);
            json.WriteString("error_type", ErrorType);
            json.WriteString("message", Message);
            json.WriteNumber("attempts", Attempts);
            json.WriteString("failed_at", FailedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            json.WriteString("root_id", RootId);
            json.WriteStartArray("causes");
            foreach (var cause in Causes)
            {
                json.WriteStartObject();
                json.WriteString("task_name", cause.TaskName);
                json.WriteString("call_hash", cause.CallHash);
                json.WriteString("error_type", cause.ErrorType);
                json.WriteString("message", cause.Message);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Reads a record written by <see cref="Encode"/>.</summary>
    /// <exception cref="ProtocolException"><paramref name="bytes"/> is not an error record; the message says what is wrong.</exception>
    public static ErrorRecord Decode(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("causes", out var causes) || causes.ValueKind != JsonValueKind.Array)
            {
                throw new ProtocolException("An error record is a JSON object with a 'causes' array.");
            }

            return new ErrorRecord(
                Text(root, "task_name"), Text(root, "call_hash"), Text(root, "error_type"), Text(root, "message"),
                root.TryGetProperty("attempts", out var attempts) && attempts.TryGetInt32(out var n) ? n : throw Missing("attempts"),
                DateTimeOffset.Parse(Text(root, "failed_at"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                Text(root, "root_id"),
                causes.EnumerateArray().Select(c => new ErrorCause(Text(c, "task_name"), Text(c, "call_hash"), Text(c, "error_type"), Text(c, "message"))).ToArray());
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new ProtocolException($"Not an error record: {e.Message}", e);
        }
    }

    private static string Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Missing(name);

    private static ProtocolException Missing(string name) => new($"An error record needs the field '{name}' (see ErrorRecord.Encode).");
}

/// <summary>One failed call in an error chain.</summary>
/// <param name="TaskName">Its task.</param>
/// <param name="CallHash">Its call hash.</param>
/// <param name="ErrorType">The full name of its error's type.</param>
/// <param name="Message">Its error's message (at most <see cref="ErrorRecord.MaxCauseMessageChars"/> characters).</param>
public sealed record ErrorCause(string TaskName, string CallHash, string ErrorType, string Message);
