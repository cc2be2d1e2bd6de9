using System.Runtime.CompilerServices;
using Brrr.Backends;

namespace Brrr.Inspection;

/// <summary>
/// Lists, shows, requeues and purges the dead letters of a fleet: the entries of every topic named
/// <c>&lt;topic&gt;&lt;suffix&gt;</c> (<c>brrr.dead-letter-suffix</c>). Works from a plain client, with no
/// ActorSystem. Each action reads at most <see cref="MaxScanned"/> entries per dead-letter topic. Thread safe.
/// </summary>
public sealed class DeadLetterAdmin
{
    /// <summary>The default dead-letter suffix (<c>brrr.dead-letter-suffix</c>).</summary>
    public const string DefaultSuffix = ":dead-letters";

    /// <summary>The most entries one action reads from one dead-letter topic.</summary>
    public const int MaxScanned = 100_000;

    private const int PageSize = 500;

    private readonly IQueue _queue;
    private readonly IQueueAdmin _admin;
    private readonly BrrrClient _client;

    /// <summary>Creates the admin over <paramref name="client"/>'s backends.</summary>
    /// <param name="queue">The fleet's queue; it must implement <see cref="IQueueAdmin"/>.</param>
    /// <param name="client">A client of the same store, cache and queue (error records, pushes).</param>
    /// <param name="suffix">The fleet's dead-letter suffix.</param>
    /// <exception cref="ArgumentException"><paramref name="queue"/> is no <see cref="IQueueAdmin"/>, or <paramref name="suffix"/> is empty.</exception>
    public DeadLetterAdmin(IQueue queue, BrrrClient client, string suffix = DefaultSuffix)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(suffix);
        _queue = queue;
        _admin = queue as IQueueAdmin ?? throw new ArgumentException($"{queue.GetType().Name} cannot list its topics (it is no IQueueAdmin).", nameof(queue));
        _client = client;
        Suffix = suffix;
    }

    /// <summary>The dead-letter suffix.</summary>
    public string Suffix { get; }

    /// <summary>The dead-letter topics that hold entries, sorted.</summary>
    public async Task<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken = default)
    {
        var topics = await _admin.ListTopicsAsync(cancellationToken).ConfigureAwait(false);
        return [.. topics.Where(IsDeadLetterTopic)];
    }

    /// <summary>Whether <paramref name="topic"/> is a dead-letter topic.</summary>
    public bool IsDeadLetterTopic(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return topic.Length > Suffix.Length && topic.EndsWith(Suffix, StringComparison.Ordinal);
    }

    /// <summary>The letters matching <paramref name="filter"/> (default: all), oldest entry of each topic first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<StoredDeadLetter>> ListAsync(DeadLetterFilter? filter = null, int limit = int.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        filter ??= DeadLetterFilter.All;
        var found = new List<StoredDeadLetter>();
        foreach (var topic in await ListTopicsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (found.Count >= limit)
            {
                break;
            }

            if (filter.Topic is not null && topic != filter.Topic + Suffix)
            {
                continue;
            }

            await foreach (var letter in MatchesAsync(topic, filter, cancellationToken).ConfigureAwait(false))
            {
                if (found.Count >= limit)
                {
                    break;
                }

                found.Add(letter);
            }
        }

        return found;
    }

    /// <summary>
    /// One page of the letters matching <paramref name="filter"/>, in <see cref="ListAsync"/>'s order, and how many match
    /// in all. A filter on nothing but the topic reads only the page's entries and each topic's length; any other
    /// filter reads every entry but keeps only the page's.
    /// </summary>
    /// <param name="filter">Which letters.</param>
    /// <param name="offset">How many matching letters to skip.</param>
    /// <param name="limit">The most letters returned.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public async Task<DeadLetterPage> PageAsync(DeadLetterFilter filter, int offset, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var page = new List<StoredDeadLetter>();
        var total = 0;
        var byTopicOnly = filter with { Topic = null } == DeadLetterFilter.All;
        foreach (var topic in await ListTopicsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (filter.Topic is not null && topic != filter.Topic + Suffix)
            {
                continue;
            }

            if (byTopicOnly)
            {
                var length = (int)Math.Min((await _admin.GetTopicAsync(topic, cancellationToken).ConfigureAwait(false)).Waiting, MaxScanned);
                var from = Math.Max(0, offset - total);
                var wanted = Math.Min(limit - page.Count, length - from);
                if (wanted > 0)
                {
                    page.AddRange((await _admin.PeekAsync(topic, from, wanted, cancellationToken).ConfigureAwait(false)).Select(text => StoredDeadLetter.Read(topic, text)));
                }

                total += length;
                continue;
            }

            await foreach (var letter in MatchesAsync(topic, filter, cancellationToken).ConfigureAwait(false))
            {
                if (total >= offset && page.Count < limit)
                {
                    page.Add(letter);
                }

                total++;
            }
        }

        return new DeadLetterPage(total, page);
    }

    /// <summary>The letters of <paramref name="topic"/> that match, oldest first, read <see cref="PageSize"/> at a time.</summary>
    private async IAsyncEnumerable<StoredDeadLetter> MatchesAsync(string topic, DeadLetterFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (long start = 0; start < MaxScanned; start += PageSize)
        {
            var entries = await _admin.PeekAsync(topic, start, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var letter in entries.Select(text => StoredDeadLetter.Read(topic, text)).Where(filter.Matches))
            {
                yield return letter;
            }

            if (entries.Count < PageSize)
            {
                yield break;
            }
        }
    }

    /// <summary>The letter with id <paramref name="id"/>, or null when none has it.</summary>
    public async Task<StoredDeadLetter?> ShowAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var found = await ListAsync(new DeadLetterFilter { Id = id }, 1, cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <summary>
    /// Runs the matching letters again: each is taken out of its dead-letter topic (exactly one copy, so two
    /// concurrent requeues of one letter push it once), the error records along its call's failed chain are removed
    /// (<see cref="BrrrClient.ClearErrorChainAsync"/>), and its original message is pushed back to its topic, under
    /// its root. Values stored before the failure are reused. Malformed and truncated letters stay where they are.
    /// Requeue the letters of a whole root (<see cref="DeadLetterFilter.RootId"/>) when parents failed with the call:
    /// each failed parent has its own letter.
    /// </summary>
    public async Task<DeadLetterActionResult> RequeueAsync(DeadLetterFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var matched = await ListAsync(filter, int.MaxValue, cancellationToken).ConfigureAwait(false);
        var skipped = new List<SkippedDeadLetter>();
        var done = 0;
        foreach (var entry in matched)
        {
            if (entry.Letter is not { } letter)
            {
                skipped.Add(new(entry.Id, "malformed: " + entry.Problem));
                continue;
            }

            if (letter.MessageBytes is { } bytes)
            {
                skipped.Add(new(entry.Id, $"the letter keeps only the start of the {bytes}-byte message"));
                continue;
            }

            if (await _admin.RemoveWaitingAsync(entry.DeadLetterTopic, entry.Text, 1, cancellationToken).ConfigureAwait(false) == 0)
            {
                skipped.Add(new(entry.Id, "gone: another caller requeued or purged it first"));
                continue;
            }

            await PushBackAsync(entry, letter, cancellationToken).ConfigureAwait(false);
            done++;
        }

        return new DeadLetterActionResult(matched.Count, done, skipped);
    }

    /// <summary>Removes the matching letters (one copy per match) for good.</summary>
    public async Task<DeadLetterActionResult> PurgeAsync(DeadLetterFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var matched = await ListAsync(filter, int.MaxValue, cancellationToken).ConfigureAwait(false);
        var skipped = new List<SkippedDeadLetter>();
        var done = 0;
        foreach (var entry in matched)
        {
            if (await _admin.RemoveWaitingAsync(entry.DeadLetterTopic, entry.Text, 1, cancellationToken).ConfigureAwait(false) == 0)
            {
                skipped.Add(new(entry.Id, "gone: another caller requeued or purged it first"));
                continue;
            }

            done++;
        }

        return new DeadLetterActionResult(matched.Count, done, skipped);
    }

    /// <summary>Clears the chain and pushes the message; if that fails, puts the letter back so it is not lost.</summary>
    private async Task PushBackAsync(StoredDeadLetter entry, DeadLetter letter, CancellationToken cancellationToken)
    {
        try
        {
            if (letter.CallHash is { } hash)
            {
                await _client.ClearErrorChainAsync(hash, cancellationToken).ConfigureAwait(false);
            }

            await _queue.PushAsync(letter.Topic, letter.Message, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            await _queue.PushAsync(entry.DeadLetterTopic, entry.Text, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }
}
