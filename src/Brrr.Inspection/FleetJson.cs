using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Brrr.Backends;

namespace Brrr.Inspection;

/// <summary>The JSON shapes of the topics overview, of dead letters and of call statuses, the same for the <c>brrr</c> tool and the admin API.</summary>
public static class FleetJson
{
    /// <summary>
    /// A call's status as JSON: <c>completed</c> with its value, <c>failed</c> with its error chain
    /// (<see cref="FailureText.Json"/>), or <c>pending</c>; each with its <c>call_hash</c>.
    /// </summary>
    /// <param name="callHash">The call hash.</param>
    /// <param name="taskName">The task's name, when known.</param>
    /// <param name="status">The status.</param>
    public static JsonObject Status(string callHash, string? taskName, CallStatus<byte[]> status)
    {
        ArgumentNullException.ThrowIfNull(status);
        switch (status.State)
        {
            case CallState.Completed:
                return new JsonObject { ["status"] = "completed", ["call_hash"] = callHash, ["value"] = Value(status.Value!) };
            case CallState.Failed:
                var json = FailureText.Json(status.Error!);
                json["call_hash"] = callHash;
                return json;
            default:
                return new JsonObject { ["status"] = "pending", ["call_hash"] = callHash, ["task"] = taskName };
        }
    }

    /// <summary>A stored value as JSON (the JSON codec's payload), or its bytes in base64 when it is no JSON.</summary>
    public static JsonNode? Value(byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        try
        {
            return JsonNode.Parse(payload);
        }
        catch (JsonException)
        {
            return JsonValue.Create(Convert.ToBase64String(payload));
        }
    }

    /// <summary>What a dead-letter requeue or purge did: <c>matched</c>, <c>done</c>, and the <c>skipped</c> letters with why.</summary>
    public static JsonObject Action(DeadLetterActionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new JsonObject
        {
            ["matched"] = result.Matched,
            ["done"] = result.Done,
            ["skipped"] = new JsonArray([.. result.Skipped.Select(s => (JsonNode)new JsonObject { ["id"] = s.Id, ["reason"] = s.Reason })]),
        };
    }

    /// <summary>A topic report as JSON (snake_case).</summary>
    public static JsonNode Topic(TopicReport r) => new JsonObject
    {
        ["topic"] = r.Topic,
        ["waiting"] = r.Waiting,
        ["delayed"] = r.Delayed,
        ["in_flight"] = r.InFlight,
        ["dead_letters"] = r.DeadLetters,
        ["rate_per_minute"] = r.RatePerMinute,
        ["throughput"] = Acks(r.Throughput),
        ["consumers"] = new JsonArray([.. r.Consumers.Select(c => (JsonNode)new JsonObject
        {
            ["id"] = c.Id,
            ["held"] = c.Held,
            ["alive"] = c.Alive,
            ["since_heartbeat_ms"] = c.SinceHeartbeat is { } s ? Math.Round(s.TotalMilliseconds) : null,
            ["acks_per_minute"] = c.Acks?.CountOver(TimeSpan.FromMinutes(1)),
        })]),
    };

    private static JsonObject? Acks(AckHistory? history) => history is null ? null : new JsonObject
    {
        ["start"] = history.Start.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        ["bucket_seconds"] = history.Bucket.TotalSeconds,
        ["counts"] = new JsonArray([.. history.Counts.Select(c => (JsonNode)JsonValue.Create(c))]),
    };

    /// <summary>A dead letter as JSON (snake_case); <paramref name="withMessage"/> adds the raw message (or a malformed entry's text).</summary>
    public static JsonNode Letter(StoredDeadLetter l, bool withMessage)
    {
        var json = new JsonObject { ["id"] = l.Id, ["dead_letter_topic"] = l.DeadLetterTopic };
        if (l.Letter is not { } letter)
        {
            json["malformed"] = l.Problem;
            json["text"] = withMessage ? l.Text : null;
            return json;
        }

        json["topic"] = letter.Topic;
        json["task"] = letter.TaskName;
        json["call_hash"] = letter.CallHash;
        json["root_id"] = letter.RootId;
        json["error_type"] = letter.ErrorType;
        json["error"] = letter.Error;
        json["attempts"] = letter.Attempts;
        json["failed_at"] = letter.FailedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        if (withMessage)
        {
            json["message"] = letter.Message;
            json["message_bytes"] = letter.MessageBytes;
        }

        return json;
    }
}
