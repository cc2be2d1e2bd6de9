using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.Redis;

namespace Brrr.Inspection.Tests;

/// <summary>Dead-letter list, show, filters, purge and requeue on a real redis-server, with no worker running; subclassed for each store.</summary>
public abstract class DeadLetterAdminTests(DynaliteServer? dynalite) : FleetTest(dynalite)
{
    private const string Topic = "dl-work";

    private DeadLetterAdmin Admin => new(Redis.Queue, Client);

    private IQueueAdmin QueueAdmin => Redis.Queue;

    [Fact]
    public async Task List_and_show_give_every_letter_with_a_stable_id_and_a_malformed_one_is_kept_with_its_problem()
    {
        var letter = Letter("job-1", "alpha", "Brrr.TaskFailedException", DateTimeOffset.UtcNow);
        await Redis.Queue.PushAsync(Topic + DeadLetterAdmin.DefaultSuffix, letter.ToJson());
        await Redis.Queue.PushAsync(Topic + DeadLetterAdmin.DefaultSuffix, "{not json at all");

        var listed = await Admin.ListAsync();

        Assert.Equal(2, listed.Count);
        var good = Assert.Single(listed, l => l.Letter is not null);
        Assert.Equal(letter with { FailedAt = good.Letter!.FailedAt }, good.Letter);
        Assert.Equal(StoredDeadLetter.IdOf(letter.ToJson()), good.Id);
        var bad = Assert.Single(listed, l => l.Letter is null);
        Assert.Equal("{not json at all", bad.Text);
        Assert.Contains("Not a dead letter", bad.Problem, StringComparison.Ordinal);
        Assert.Equal(good, await Admin.ShowAsync(good.Id));
        Assert.Equal(bad, await Admin.ShowAsync(bad.Id));
        Assert.Null(await Admin.ShowAsync("0000000000000000"));
        Assert.Equal([Topic + DeadLetterAdmin.DefaultSuffix], await Admin.ListTopicsAsync());
    }

    [Fact]
    public async Task Filters_match_by_topic_task_root_error_type_and_time()
    {
        var now = DateTimeOffset.UtcNow;
        var early = Letter("m1", "alpha", "Brrr.TaskFailedException", now.AddHours(-2)) with { RootId = "root-a" };
        var late = Letter("m2", "beta", "Brrr.SpawnLimitException", now) with { RootId = "root-b" };
        var elsewhere = Letter("m3", "alpha", "Brrr.TaskFailedException", now) with { Topic = "other" };
        foreach (var l in new[] { early, late, elsewhere })
        {
            await Redis.Queue.PushAsync(l.Topic + DeadLetterAdmin.DefaultSuffix, l.ToJson());
        }

        await Redis.Queue.PushAsync(Topic + DeadLetterAdmin.DefaultSuffix, "garbage");

        async Task<string[]> Messages(DeadLetterFilter f) =>
            [.. (await Admin.ListAsync(f)).Select(l => l.Letter?.Message ?? "malformed").Order(StringComparer.Ordinal)];

        Assert.Equal(["m1", "m2", "m3", "malformed"], await Messages(DeadLetterFilter.All));
        Assert.Equal(["m1", "m2", "malformed"], await Messages(new() { Topic = Topic }));
        Assert.Equal(["m3"], await Messages(new() { Topic = "other" }));
        Assert.Equal(["m1", "m3"], await Messages(new() { TaskName = "alpha" }));
        Assert.Equal(["m2"], await Messages(new() { RootId = "root-b" }));
        Assert.Equal(["m2"], await Messages(new() { ErrorType = "SpawnLimitException" }));
        Assert.Equal(["m1", "m3"], await Messages(new() { ErrorType = "Brrr.TaskFailedException" }));
        Assert.Empty(await Messages(new() { ErrorType = "FailedException" }));
        Assert.Equal(["m1"], await Messages(new() { Until = now.AddHours(-1) }));
        Assert.Equal(["m2", "m3"], await Messages(new() { Since = now.AddHours(-1) }));
        Assert.Equal(["malformed"], await Messages(new() { Malformed = true }));
        Assert.Equal(["m1", "m2", "m3"], await Messages(new() { Malformed = false }));
        Assert.Single(await Admin.ListAsync(limit: 1));
    }

    [Fact]
    public async Task Purge_removes_exactly_the_filtered_letters()
    {
        var now = DateTimeOffset.UtcNow;
        var dlTopic = Topic + DeadLetterAdmin.DefaultSuffix;
        foreach (var l in new[] { Letter("a1", "alpha", "E", now), Letter("b1", "beta", "E", now), Letter("a2", "alpha", "E", now) })
        {
            await Redis.Queue.PushAsync(dlTopic, l.ToJson());
        }

        await Redis.Queue.PushAsync(dlTopic, "garbage");

        var purged = await Admin.PurgeAsync(new() { TaskName = "alpha" });

        Assert.Equal(new DeadLetterActionResult(2, 2, []), purged with { Skipped = [] });
        Assert.Empty(purged.Skipped);
        var left = await QueueAdmin.PeekAsync(dlTopic, 0, 10);
        Assert.Equal(2, left.Count);
        Assert.Equal("b1", DeadLetter.Parse(left[0]).Message);
        Assert.Equal("garbage", left[1]);
        Assert.Equal(0, (await Redis.Queue.GetStatsAsync(Topic)).Waiting);

        var malformed = await Admin.PurgeAsync(new() { Malformed = true });
        Assert.Equal(1, malformed.Done);
        Assert.Equal(["b1"], (await QueueAdmin.PeekAsync(dlTopic, 0, 10)).Select(t => DeadLetter.Parse(t).Message));
    }

    [Fact]
    public async Task Concurrent_requeues_of_one_letter_push_its_message_once_and_clear_its_error_chain()
    {
        var hash = "h" + Guid.NewGuid().ToString("N");
        var cause = "c" + Guid.NewGuid().ToString("N");
        var memory = new Memory(Store);
        var causeRecord = new ErrorRecord("leaf", cause, "System.InvalidOperationException", "kaput", 2, DateTimeOffset.UtcNow, "root", []);
        await memory.SetErrorAndSendReturnsAsync(causeRecord, _ => Task.CompletedTask);
        await memory.SetErrorAndSendReturnsAsync(
            new ErrorRecord("parent", hash, typeof(ChildFailedException).FullName!, "child failed", 1, DateTimeOffset.UtcNow, "root", [new ErrorCause("leaf", cause, causeRecord.ErrorType, causeRecord.Message)]),
            _ => Task.CompletedTask);
        var letter = Letter("the-job", "parent", typeof(ChildFailedException).FullName!, DateTimeOffset.UtcNow) with { CallHash = hash };
        await Redis.Queue.PushAsync(Topic + DeadLetterAdmin.DefaultSuffix, letter.ToJson());
        var filter = new DeadLetterFilter { Id = StoredDeadLetter.IdOf(letter.ToJson()) };

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => new DeadLetterAdmin(Redis.Queue, Client).RequeueAsync(filter))));

        Assert.Equal(1, results.Sum(r => r.Done));
        // A loser either saw the letter gone before matching it, or matched it and found it taken.
        Assert.All(results.Where(r => r.Done == 0), r => Assert.True(
            r.Matched == 0 || r.Skipped.Any(s => s.Reason.StartsWith("gone", StringComparison.Ordinal)), $"matched {r.Matched}, skipped {r.Skipped.Count}"));
        Assert.Equal(["the-job"], await QueueAdmin.PeekAsync(Topic, 0, 10));
        Assert.Empty(await Admin.ListAsync());
        Assert.Null(await memory.GetErrorAsync(hash));
        Assert.Null(await memory.GetErrorAsync(cause));
    }

    [Fact]
    public async Task Malformed_and_truncated_letters_are_not_requeued_and_stay()
    {
        var dlTopic = Topic + DeadLetterAdmin.DefaultSuffix;
        var truncated = Letter("the-start-of-it", "alpha", "Brrr.SizeLimitException", DateTimeOffset.UtcNow) with { MessageBytes = 9_000_000 };
        await Redis.Queue.PushAsync(dlTopic, truncated.ToJson());
        await Redis.Queue.PushAsync(dlTopic, "garbage");

        var result = await Admin.RequeueAsync(DeadLetterFilter.All);

        Assert.Equal(2, result.Matched);
        Assert.Equal(0, result.Done);
        Assert.Contains(result.Skipped, s => s.Reason.StartsWith("malformed", StringComparison.Ordinal));
        Assert.Contains(result.Skipped, s => s.Reason.Contains("9000000-byte", StringComparison.Ordinal));
        Assert.Equal(2, (await QueueAdmin.PeekAsync(dlTopic, 0, 10)).Count);
        Assert.Equal(0, (await Redis.Queue.GetStatsAsync(Topic)).Waiting);
    }

    [Fact]
    public async Task The_topics_overview_counts_waiting_held_consumers_and_dead_letters()
    {
        await Redis.Queue.PushAsync(Topic, "one");
        await Redis.Queue.PushAsync(Topic, "two");
        await Redis.Queue.PushAsync(Topic, "three");
        await Redis.Queue.PushAsync(Topic + DeadLetterAdmin.DefaultSuffix, "garbage");
        await Redis.Queue.PushAsync("only-dead" + DeadLetterAdmin.DefaultSuffix, "garbage");
        await using var consumer = Redis.Queue.CreateConsumer(Topic);
        Assert.NotNull(await consumer.ReceiveAsync(TimeSpan.FromSeconds(5)));

        var reports = await new FleetTopics(Redis.Queue).ListAsync();

        Assert.Equal([Topic, "only-dead"], reports.Select(r => r.Topic));
        var work = reports[0];
        Assert.Equal(2, work.Waiting);
        Assert.Equal(1, work.InFlight);
        Assert.Equal(1, work.DeadLetters);
        var held = Assert.Single(work.Consumers);
        Assert.True(held.Alive);
        Assert.Equal(0, work.DeadConsumers);
        Assert.Equal(0, work.RatePerMinute);
        Assert.Equal(FleetTopics.HistoryBuckets, work.Throughput!.Counts.Count);
        Assert.Equal(new TopicReport("only-dead", 0, 0, [], 1, null), reports[1] with { Consumers = [] });
    }

    private static DeadLetter Letter(string message, string task, string errorType, DateTimeOffset failedAt) =>
        new(Topic, message, errorType, "it broke", "root", "hash-" + message, task, 1, failedAt);
}
