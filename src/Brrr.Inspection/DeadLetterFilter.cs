namespace Brrr.Inspection;

/// <summary>
/// Which dead letters an action of <see cref="DeadLetterAdmin"/> takes. Every field left null matches everything;
/// set fields must all match. A letter that cannot be read as a <see cref="DeadLetter"/> (malformed) matches only a
/// filter that sets nothing but <see cref="Id"/>, <see cref="Ids"/>, <see cref="Malformed"/> or <see cref="Topic"/>.
/// </summary>
public sealed record DeadLetterFilter
{
    /// <summary>Every letter.</summary>
    public static DeadLetterFilter All { get; } = new();

    /// <summary>One letter, by its <see cref="StoredDeadLetter.Id"/>.</summary>
    public string? Id { get; init; }

    /// <summary>Any of these letters, by their <see cref="StoredDeadLetter.Id"/> (a selection); null: no such condition.</summary>
    public IReadOnlyCollection<string>? Ids { get; init; }

    /// <summary>
    /// The topic the failed message came from (not the dead-letter topic). <see cref="DeadLetterAdmin"/> reads only
    /// that topic's dead-letter topic, which is how a malformed letter matches it.
    /// </summary>
    public string? Topic { get; init; }

    /// <summary>The task of the failed call.</summary>
    public string? TaskName { get; init; }

    /// <summary>The workflow root of the failed call.</summary>
    public string? RootId { get; init; }

    /// <summary>The error type: its full name (<c>Brrr.TaskFailedException</c>) or the name after the last dot (<c>TaskFailedException</c>).</summary>
    public string? ErrorType { get; init; }

    /// <summary>Letters that failed at or after this instant.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Letters that failed before this instant.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary><c>true</c>: only the malformed letters; <c>false</c>: only the readable ones; null: both.</summary>
    public bool? Malformed { get; init; }

    /// <summary>Whether the filter sets nothing but, perhaps, <see cref="Id"/>, <see cref="Ids"/>, <see cref="Malformed"/> and <see cref="Topic"/>.</summary>
    private bool SetsNoField => TaskName is null && RootId is null && ErrorType is null && Since is null && Until is null;

    /// <summary>Whether <paramref name="letter"/> passes the filter.</summary>
    public bool Matches(StoredDeadLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        if (Id is not null && !string.Equals(Id, letter.Id, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (Ids is not null && !Ids.Contains(letter.Id, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        if (letter.Letter is not { } l)
        {
            return Malformed != false && SetsNoField;
        }

        return Malformed != true
            && (Topic is null || Topic == l.Topic)
            && (TaskName is null || TaskName == l.TaskName)
            && (RootId is null || RootId == l.RootId)
            && (ErrorType is null || ErrorType == l.ErrorType || l.ErrorType.EndsWith("." + ErrorType, StringComparison.Ordinal))
            && (Since is null || l.FailedAt >= Since)
            && (Until is null || l.FailedAt < Until);
    }
}
