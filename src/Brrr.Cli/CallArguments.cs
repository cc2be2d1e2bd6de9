using System.Text.Json;
using System.Text.Json.Nodes;

namespace Brrr.Cli;

/// <summary>
/// A call's arguments from the command line, as one JSON object in the order given. <c>key=value</c> is the string
/// value, as the reference demos' webs pass query values, so <c>brrr status fib n=10</c> finds the call that
/// <c>GET /fib?n=10</c> or <c>brrr-demo schedule ... fib n=10</c> made. <c>key:=json</c> is a JSON value instead
/// (<c>n:=10</c> the number 10, <c>flags:=[1,2]</c> an array), for tasks whose arguments are typed.
/// </summary>
public static class CallArguments
{
    /// <summary>The JSON object of <paramref name="words"/>.</summary>
    /// <exception cref="UsageException">A word has no '=' or no key, a <c>:=</c> value is no JSON, or a key repeats.</exception>
    public static JsonObject Parse(IEnumerable<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        var arguments = new JsonObject();
        foreach (var word in words)
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            var typed = equals > 0 && word[equals - 1] == ':';
            var keyEnd = typed ? equals - 1 : equals;
            if (keyEnd <= 0)
            {
                throw new UsageException($"bad argument '{word}': arguments look like key=text or key:=json");
            }

            var key = word[..keyEnd];
            if (arguments.ContainsKey(key))
            {
                throw new UsageException($"argument '{key}' is given twice");
            }

            var text = word[(equals + 1)..];
            arguments[key] = typed ? Json(key, text) : JsonValue.Create(text);
        }

        return arguments;
    }

    private static JsonNode? Json(string key, string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new UsageException($"argument '{key}:=' needs a JSON value ({e.Message}); use {key}=text for a string");
        }
    }
}
