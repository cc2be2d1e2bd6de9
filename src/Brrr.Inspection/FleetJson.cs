using System.Globalization;
using System.Text.Json.Nodes;

namespace Brrr.Inspection;

/// <summary>The JSON shapes of the topics overview and of dead letters, the same for the <c>brrr</c> tool and the admin API.</summary>
public static class FleetJson
{
    /// <summary>A topic report as JSON (snake_case).</summary>
    public static JsonNode Topic(TopicReport r) => new JsonObject
    {
        ["topic"] = r.Topic,
        ["waiting"] = r.Waiting,
        ["in_flight"] = r.InFlight,
        ["dead_letters"] = r.DeadLetters,
        ["rate_per_minute"] = r.RatePerMinute,
        ["consumers"] = new JsonArray([.. r.Consumers.Select(c => (JsonNode)new JsonObject
        {
            ["id"] = c.Id,
            ["held"] = c.Held,
            ["alive"] = c.Alive,
            ["since_heartbeat_ms"] = c.SinceHeartbeat is { } s ? Math.Round(s.TotalMilliseconds) : null,
        })]),
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
