using Brrr.Backends;
using Brrr.Protocol;

namespace Brrr.Inspection;

/// <summary>
/// Every job and dead letter of a fleet's queue, by call hash: one scan of every topic's delayed messages (where the
/// queue holds some back, <see cref="IDelayedQueueAdmin"/>), waiting messages and what each consumer holds, and of the
/// dead-letter topics, at most <see cref="MaxMessages"/> messages in all. A topic's delayed messages are read before
/// its waiting list, and that before its held lists, so a message that moves on in between (falls due, is taken) is
/// read twice rather than missed: a message counts once per topic (where it was held, when it was seen held; waiting
/// rather than delayed), however many copies of it wait.
/// </summary>
internal sealed class QueueIndex
{
    /// <summary>The most messages one scan reads.</summary>
    public const int MaxMessages = 200_000;

    private const int PageSize = 1000;

    private readonly Dictionary<string, List<(string Message, JobLocation Location)>> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeadLetter> _letters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _byRoot = new(StringComparer.Ordinal);
    private readonly HashSet<(string RootId, string CallHash)> _rootCalls = [];
    private int _read;

    /// <summary>The scan stopped at <see cref="MaxMessages"/>: some jobs may be missing from the index.</summary>
    public bool Truncated { get; private set; }

    /// <summary>The jobs of <paramref name="callHash"/>.</summary>
    public IReadOnlyList<JobLocation> JobsOf(string callHash) => _jobs.TryGetValue(callHash, out var jobs) ? [.. jobs.Select(j => j.Location)] : [];

    /// <summary>The dead letter of <paramref name="callHash"/>, if any.</summary>
    public DeadLetter? LetterOf(string callHash) => _letters.GetValueOrDefault(callHash);

    /// <summary>The calls with a job or dead letter under <paramref name="rootId"/>.</summary>
    public IReadOnlyList<string> CallsOfRoot(string rootId) => _byRoot.TryGetValue(rootId, out var calls) ? calls : [];

    /// <summary>
    /// Takes in what a later scan, <paramref name="later"/>, found: its jobs of a call replace this scan's, a call it
    /// found no job for keeps this scan's, and its dead letters and roots are added.
    /// </summary>
    public void Add(QueueIndex later)
    {
        foreach (var (callHash, jobs) in later._jobs)
        {
            _jobs[callHash] = jobs;
        }

        foreach (var (callHash, letter) in later._letters)
        {
            _letters[callHash] = letter;
        }

        foreach (var (rootId, callHash) in later._rootCalls)
        {
            AddRoot(rootId, callHash);
        }

        Truncated |= later.Truncated;
    }

    /// <summary>Scans <paramref name="admin"/>; <paramref name="suffix"/> names the dead-letter topics.</summary>
    public static async Task<QueueIndex> BuildAsync(IQueueAdmin admin, string suffix, CancellationToken cancellationToken)
    {
        var index = new QueueIndex();
        foreach (var topic in await admin.ListTopicsAsync(cancellationToken).ConfigureAwait(false))
        {
            var deadLetters = topic.Length > suffix.Length && topic.EndsWith(suffix, StringComparison.Ordinal);
            if (!deadLetters && admin is IDelayedQueueAdmin delayed)
            {
                await foreach (var held in DelayedAsync(delayed, topic, index, cancellationToken).ConfigureAwait(false))
                {
                    index.AddJob(held.Message, new JobLocation(topic, "", null, null, null, held.NotBefore, held.Redelivered));
                }
            }

            await foreach (var message in WaitingAsync(admin, topic, index, cancellationToken).ConfigureAwait(false))
            {
                if (deadLetters)
                {
                    index.AddLetter(message);
                }
                else
                {
                    index.AddJob(message, new JobLocation(topic, "", null, null, null));
                }
            }

            if (deadLetters)
            {
                continue;
            }

            var snapshot = await admin.GetTopicAsync(topic, cancellationToken).ConfigureAwait(false);
            foreach (var consumer in snapshot.Consumers.Where(c => c.Held > 0))
            {
                foreach (var message in await admin.GetHeldAsync(topic, consumer.Id, cancellationToken).ConfigureAwait(false))
                {
                    index.AddJob(message, new JobLocation(topic, "", consumer.Id, consumer.Alive, consumer.SinceHeartbeat));
                }
            }
        }

        return index;
    }

    private static IAsyncEnumerable<string> WaitingAsync(IQueueAdmin admin, string topic, QueueIndex index, CancellationToken cancellationToken) =>
        PagesAsync((start, token) => admin.PeekAsync(topic, start, PageSize, token), index, cancellationToken);

    private static IAsyncEnumerable<DelayedMessage> DelayedAsync(IDelayedQueueAdmin admin, string topic, QueueIndex index, CancellationToken cancellationToken) =>
        PagesAsync((start, token) => admin.PeekDelayedAsync(topic, start, PageSize, token), index, cancellationToken);

    /// <summary>Every item of the pages <paramref name="page"/> reads, page by page, until a short page or <see cref="MaxMessages"/> in all.</summary>
    private static async IAsyncEnumerable<T> PagesAsync<T>(
        Func<long, CancellationToken, Task<IReadOnlyList<T>>> page, QueueIndex index, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (long start = 0; ; start += PageSize)
        {
            if (index._read >= MaxMessages)
            {
                index.Truncated = true;
                yield break;
            }

            var items = await page(start, cancellationToken).ConfigureAwait(false);
            foreach (var item in items)
            {
                index._read++;
                yield return item;
            }

            if (items.Count < PageSize)
            {
                yield break;
            }
        }
    }

    private void AddJob(string message, JobLocation location)
    {
        if (ScheduleMessage.TryFromWire(message) is not { } decoded)
        {
            return;
        }

        if (!_jobs.TryGetValue(decoded.CallHash, out var jobs))
        {
            _jobs[decoded.CallHash] = jobs = [];
        }

        location = location with { RootId = decoded.RootId };
        var same = jobs.FindIndex(j => j.Message == message && j.Location.Topic == location.Topic);
        if (same < 0)
        {
            jobs.Add((message, location));
        }
        else if (Rank(location) > Rank(jobs[same].Location))
        {
            jobs[same] = (message, location);
        }

        AddRoot(decoded.RootId, decoded.CallHash);
    }

    /// <summary>Which of two sightings of one message in one topic is the later state: held over waiting over delayed.</summary>
    private static int Rank(JobLocation location) => location.ConsumerId is not null ? 2 : location.NotBefore is null ? 1 : 0;

    private void AddLetter(string text)
    {
        DeadLetter letter;
        try
        {
            letter = DeadLetter.Parse(text);
        }
        catch (ProtocolException)
        {
            return;
        }

        if (letter.CallHash is { } hash)
        {
            _letters[hash] = letter;
            if (letter.RootId is { } root)
            {
                AddRoot(root, hash);
            }
        }
    }

    private void AddRoot(string rootId, string callHash)
    {
        if (!_rootCalls.Add((rootId, callHash)))
        {
            return;
        }

        if (!_byRoot.TryGetValue(rootId, out var calls))
        {
            _byRoot[rootId] = calls = [];
        }

        calls.Add(callHash);
    }
}
