using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Brrr.Cli;

/// <summary>What a command prints: lines for people, or one JSON document for scripts (<c>--json</c>).</summary>
/// <param name="Json">Whether to print JSON.</param>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
public sealed record Output(bool Json, TextWriter Out, TextWriter Error)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions OneLine = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Whether JSON is printed on one line (one document per line, for a stream of reports).</summary>
    public bool Compact { get; init; }

    /// <summary>Prints <paramref name="json"/> with <c>--json</c>, else the lines <paramref name="human"/> makes.</summary>
    public void Write(JsonNode json, Func<IEnumerable<string>> human)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(human);
        if (Json)
        {
            Out.WriteLine(json.ToJsonString(Compact ? OneLine : Indented));
            return;
        }

        foreach (var line in human())
        {
            Out.WriteLine(line);
        }
    }

    /// <summary>One error line on standard error: <c>brrr: message</c>.</summary>
    public void Fail(string message) => Error.WriteLine($"brrr: {message}");
}
