using System.Security.Cryptography;
using System.Text;

namespace Brrr.Inspection;

/// <summary>One entry of a dead-letter topic, as <see cref="DeadLetterAdmin"/> lists it.</summary>
/// <param name="Id">A stable id: the first 16 hex digits of the SHA-256 of <paramref name="Text"/>. Copies of the same text share it.</param>
/// <param name="DeadLetterTopic">The dead-letter topic that holds it (<c>&lt;topic&gt;&lt;suffix&gt;</c>).</param>
/// <param name="Text">The entry's exact text.</param>
/// <param name="Letter">The letter read from <paramref name="Text"/>; null when it is malformed.</param>
/// <param name="Problem">Why <paramref name="Text"/> is no dead letter; null when it is one.</param>
public sealed record StoredDeadLetter(string Id, string DeadLetterTopic, string Text, DeadLetter? Letter, string? Problem)
{
    /// <summary>Reads the entry <paramref name="text"/> of <paramref name="deadLetterTopic"/>; never throws on bad text.</summary>
    public static StoredDeadLetter Read(string deadLetterTopic, string text)
    {
        ArgumentNullException.ThrowIfNull(deadLetterTopic);
        ArgumentNullException.ThrowIfNull(text);
        var id = IdOf(text);
        try
        {
            return new StoredDeadLetter(id, deadLetterTopic, text, DeadLetter.Parse(text), null);
        }
        catch (ProtocolException e)
        {
            return new StoredDeadLetter(id, deadLetterTopic, text, null, e.Message);
        }
    }

    /// <summary>The id of the entry <paramref name="text"/>.</summary>
    public static string IdOf(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }
}

/// <summary>What an action of <see cref="DeadLetterAdmin"/> did.</summary>
/// <param name="Matched">Letters the filter matched.</param>
/// <param name="Done">Letters requeued or purged.</param>
/// <param name="Skipped">Matched letters left in place, with why (a malformed or truncated letter cannot be requeued; another caller took it first).</param>
public sealed record DeadLetterActionResult(int Matched, int Done, IReadOnlyList<SkippedDeadLetter> Skipped);

/// <summary>A matched letter an action left in place.</summary>
/// <param name="Id">The letter's id.</param>
/// <param name="Reason">Why it was left.</param>
public sealed record SkippedDeadLetter(string Id, string Reason);

/// <summary>One page of dead letters (<see cref="DeadLetterAdmin.PageAsync"/>).</summary>
/// <param name="Total">How many letters match in all.</param>
/// <param name="Letters">The page's letters.</param>
public sealed record DeadLetterPage(int Total, IReadOnlyList<StoredDeadLetter> Letters);
