using System.Text.Json.Nodes;

namespace Brrr.Inspection;

/// <summary>
/// How brrr's tools (the <c>brrr</c> tool, the demo, the admin API) show a failed call: one line <c>failed: task: message</c> (the first failure's message), and the
/// chain from the call that failed first up to the one read, each with its arguments when its call record is readable.
/// </summary>
public static class FailureText
{
    /// <summary>The exit code of the tools' <c>read</c>, <c>status</c> and <c>wait</c> for a call that failed for good.</summary>
    public const int FailedExitCode = 3;

    /// <summary>The summary line of <paramref name="error"/>: <c>failed: &lt;task&gt;: &lt;first failure's message&gt;</c>.</summary>
    public static string Summary(ErrorRecord error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return $"failed: {error.TaskName}: {error.RootCause.Message}";
    }

    /// <summary>The chain of <paramref name="error"/>, the first failure first, the failed call itself last.</summary>
    public static IReadOnlyList<ErrorCause> FirstFailureFirst(ErrorRecord error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return [.. error.Causes.Reverse(), error.AsCause];
    }

    /// <summary>The lines of the chain: <c>task {arguments}</c>, and the error on the first.</summary>
    public static async Task<IReadOnlyList<string>> ChainLinesAsync(BrrrClient client, ErrorRecord error)
    {
        ArgumentNullException.ThrowIfNull(client);
        var chain = FirstFailureFirst(error);
        var lines = new List<string>(chain.Count);
        for (var i = 0; i < chain.Count; i++)
        {
            var arguments = await ArgumentsAsync(client, chain[i].CallHash);
            var line = $"  {(i == 0 ? "" : "→ ")}{chain[i].TaskName} {arguments?.ToJsonString() ?? chain[i].CallHash}";
            lines.Add(i == 0 ? $"{line}: {chain[i].ErrorType}: {chain[i].Message}" : line);
        }

        return lines;
    }

    /// <summary>The HTTP body of a failed call: status, task, error (the first failure's message), error_type and the chain.</summary>
    public static JsonObject Json(ErrorRecord error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var chain = new JsonArray();
        foreach (var cause in FirstFailureFirst(error))
        {
            chain.Add(new JsonObject
            {
                ["task"] = cause.TaskName,
                ["call_hash"] = cause.CallHash,
                ["error_type"] = cause.ErrorType,
                ["message"] = cause.Message,
            });
        }

        return new JsonObject
        {
            ["status"] = "failed",
            ["task"] = error.TaskName,
            ["error"] = error.RootCause.Message,
            ["error_type"] = error.RootCause.ErrorType,
            ["failed_at"] = error.FailedAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["chain"] = chain,
        };
    }

    private static async Task<JsonObject?> ArgumentsAsync(BrrrClient client, string callHash)
    {
        try
        {
            return client.Codec.DecodeArgs<JsonObject>(await client.Memory.GetCallAsync(callHash));
        }
        catch (BrrrException)
        {
            return null;
        }
    }
}
