using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Brrr.Inspection;
using Microsoft.AspNetCore.Http;

namespace Brrr.AspNetCore;

/// <summary>An answer other than 200 that a handler decides on: its status and the message of its problem body.</summary>
internal sealed class AdminProblemException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>One admin API request: its checked query parameters and JSON body, and its cancellation (the client gone, or the request timeout).</summary>
internal sealed class AdminRequest(HttpContext http, BrrrAdminOptions options, CancellationToken cancellationToken)
{
    private const int MaxJsonDepth = 32;
    private const int MaxNameLength = 256;

    private JsonObject? _body;

    public HttpContext Http { get; } = http;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>A query parameter given at most once, or null.</summary>
    public string? Query(string name)
    {
        var values = Http.Request.Query[name];
        return values.Count switch
        {
            0 => null,
            1 => values[0],
            _ => throw new AdminProblemException(StatusCodes.Status400BadRequest, $"give the query parameter '{name}' once"),
        };
    }

    /// <summary>An integer query parameter between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public int QueryInt(string name, int fallback, int min, int max)
    {
        if (Query(name) is not { } text)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw Bad($"bad {name} '{Clip(text)}': give a whole number from {min} to {max}");
    }

    /// <summary>The body: one JSON object of at most <see cref="BrrrAdminOptions.MaxBodyBytes"/> bytes, sent as <c>application/json</c>, with only <paramref name="fields"/>.</summary>
    public async Task<JsonObject> BodyAsync(params string[] fields)
    {
        if (_body is not null)
        {
            return _body;
        }

        var request = Http.Request;
        if (!request.HasJsonContentType())
        {
            throw new AdminProblemException(StatusCodes.Status415UnsupportedMediaType, "send the body as JSON, with Content-Type: application/json");
        }

        if (request.ContentLength > options.MaxBodyBytes)
        {
            throw TooLarge();
        }

        var bytes = await ReadAsync(request.Body).ConfigureAwait(false);
        JsonNode? node;
        try
        {
            node = bytes.Length == 0 ? null : JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
        }
        catch (JsonException e)
        {
            throw Bad($"the body is no JSON: {e.Message}");
        }

        var body = node as JsonObject ?? throw Bad("the body must be a JSON object");
        if (body.Select(p => p.Key).FirstOrDefault(k => !fields.Contains(k, StringComparer.Ordinal)) is { } unknown)
        {
            throw Bad($"unknown field '{Clip(unknown)}': expected {string.Join(", ", fields)}");
        }

        return _body = body;
    }

    /// <summary>A string field of the body, or null when absent or null.</summary>
    public static string? Text(JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => throw Bad($"'{name}' must be a string"),
    };

    /// <summary>A required string field of the body.</summary>
    public static string RequiredText(JsonObject body, string name, string why) =>
        Text(body, name) is { Length: > 0 } s ? s : throw Bad($"'{name}' is missing: {why}");

    /// <summary>A boolean field of the body, or null.</summary>
    public static bool? Flag(JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => throw Bad($"'{name}' must be true or false"),
    };

    /// <summary>The call arguments of the body (<c>args</c>, an object; default: none).</summary>
    public static JsonObject Arguments(JsonObject body) => body["args"] switch
    {
        null => [],
        JsonObject o => (JsonObject)o.DeepClone(),
        _ => throw Bad("'args' must be a JSON object of the call's arguments"),
    };

    /// <summary>
    /// The call the request names: <c>call_hash</c>, or <c>task</c> with <c>args</c> (a JSON object), from the query
    /// (reads) or the body (actions). Returns its hash and the task's name when given.
    /// </summary>
    public (string Hash, string? Task) Call(BrrrClient client, JsonObject? body)
    {
        var hash = body is null ? Query("call_hash") : Text(body, "call_hash");
        var task = body is null ? Query("task") : Text(body, "task");
        var hasArgs = body is null ? Query("args") is not null : body["args"] is not null;
        if (hash is not null)
        {
            return task is not null || hasArgs
                ? throw Bad("give either call_hash or a task with its args, not both")
                : (CallHashes.Check(hash), null);
        }

        if (task is null)
        {
            throw Bad("name the call: call_hash, or task with args (a JSON object)");
        }

        var args = body is null ? QueryArguments() : Arguments(body);
        return (client.Codec.EncodeCall(TaskName(task), args).CallHash, task);
    }

    /// <summary>A task name from outside: 1 to 256 characters, no control characters.</summary>
    public static string TaskName(string name) =>
        name.Length is > 0 and <= MaxNameLength && !name.Any(char.IsControl) ? name : throw Bad($"bad task name '{Clip(name)}': 1 to {MaxNameLength} characters, no control characters");

    /// <summary>An ISO 8601 time query parameter, or null.</summary>
    public DateTimeOffset? QueryTime(string name) => Time(name, Query(name));

    /// <summary>The ISO 8601 time <paramref name="text"/> of <paramref name="name"/>, or null when it is null.</summary>
    public static DateTimeOffset? Time(string name, string? text) =>
        text is null ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at
        : throw Bad($"bad {name} '{Clip(text)}': give an ISO 8601 time such as 2026-12-04T10:00:00Z");

    /// <summary>A true/false query parameter, or null.</summary>
    public bool? QueryFlag(string name) => Query(name) switch
    {
        null => null,
        "true" => true,
        "false" => false,
        var other => throw Bad($"bad {name} '{Clip(other)}': give true or false"),
    };

    public static AdminProblemException Bad(string message) => new(StatusCodes.Status400BadRequest, message);

    private JsonObject QueryArguments()
    {
        var text = Query("args");
        if (text is null)
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = MaxJsonDepth }) as JsonObject ?? throw Bad("'args' must be a JSON object of the call's arguments");
        }
        catch (JsonException e)
        {
            throw Bad($"'args' is no JSON: {e.Message}");
        }
    }

    private async Task<byte[]> ReadAsync(Stream body)
    {
        var limit = options.MaxBodyBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(limit + 1);
        try
        {
            var length = 0;
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(length, limit + 1 - length), CancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
                if (length > limit)
                {
                    throw TooLarge();
                }
            }

            return buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private AdminProblemException TooLarge() =>
        new(StatusCodes.Status413PayloadTooLarge, $"the body is larger than {options.MaxBodyBytes} bytes (BrrrAdminOptions.MaxBodyBytes)");

    private static string Clip(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
