using System.Collections.Concurrent;
using System.Numerics;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.Contracts.Workloads;
using Brrr.Protocol;
using Brrr.Redis;
using Brrr.TestKit;
using StackExchange.Redis;

namespace Brrr.IntegrationTests;

/// <summary>Bad bytes written straight into a real redis-server: the Akka worker on Redis reports them and keeps serving.</summary>
public sealed class RedisBadMessageTests
{
    private static readonly Config WorkerConfig = ConfigurationFactory.ParseString("akka.loglevel = OFF\nbrrr.poll-timeout = 200ms");

    [Fact]
    public async Task Garbage_a_foreign_record_and_a_corrupt_call_record_are_reported_and_dead_lettered_while_valid_jobs_complete()
    {
        using var server = RedisServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
        var raw = redis.Multiplexer.GetDatabase();
        using var system = ActorSystem.Create("redis-bad-messages", WorkerConfig);
        await using var worker = new LocalBrrr(system, FibTask.Topics(), new BrrrBackends(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default));
        var salt = Guid.NewGuid().ToString("N");
        Assert.Equal(new BigInteger(55), await worker.RunAsync(FibTask.Fib, new FibArgs(10, salt), TimeSpan.FromSeconds(60)));

        // Not UTF-8 at all, valid bencode of another record (a PendingReturn, PROTOCOL.md §7), and a valid message
        // whose call record holds garbage: each pushed or written with raw commands, as a foreign or broken worker would.
        byte[] garbage = [0xFF, 0xFE, 0x00, 0xC3, 0x28, (byte)'l', (byte)'i', (byte)'2'];
        const string foreignRecord = "li1e4:r00t6:p4rent7:topic-ae";
        var corrupt = JsonCodec.Default.EncodeCall(FibTask.Fib.Name, new FibArgs(7, salt + "-corrupt"));
        await raw.StringSetAsync($"brrr:{{{corrupt.CallHash}}}:call", garbage);
        await raw.ListRightPushAsync(RedisLayout.Current.TopicList(FibTask.Topic), garbage);
        await raw.ListRightPushAsync(RedisLayout.Current.TopicList(FibTask.Topic), foreignRecord);
        await raw.ListRightPushAsync(RedisLayout.Current.TopicList(FibTask.Topic), new ScheduleMessage("root-corrupt", corrupt.CallHash).ToWire());

        Assert.Equal(new BigInteger(6765), await worker.RunAsync(FibTask.Fib, new FibArgs(20, salt), TimeSpan.FromSeconds(60)));
        await Eventually.HoldsAsync(() => worker.Failures.Count >= 3, "three failures reported");
        var failures = worker.Failures;
        Assert.Equal(3, failures.Count);
        Assert.Equal(3, worker.Worker.Statistics.Failed);
        Assert.All(failures, f => Assert.False(f.Released, $"{f.Message} was released for a retry, but it can never succeed"));
        Assert.All(failures, f => Assert.IsType<ProtocolException>(f.Error));
        var notText = Assert.Single(failures, f => f.Message == Encoding.UTF8.GetString(garbage));
        Assert.Null(notText.CallHash);
        var foreign = Assert.Single(failures, f => f.Message == foreignRecord);
        Assert.Contains("ScheduleMessage: expected tag 2, got 1", foreign.Error.Message, StringComparison.Ordinal);
        var corrupted = Assert.Single(failures, f => f.CallHash == corrupt.CallHash);
        Assert.Equal("root-corrupt", corrupted.RootId);
        Assert.StartsWith("call record: ", corrupted.Error.Message, StringComparison.Ordinal);

        // Kept, not lost: each waits verbatim (as far as text can hold it) with its error in the topic's dead-letter list.
        var deadLetters = FibTask.Topic + ":dead-letters";
        Assert.All(failures, f => Assert.Equal(deadLetters, f.DeadLetterTopic));
        var letters = (await raw.ListRangeAsync(RedisLayout.Current.TopicList(deadLetters))).Select(l => DeadLetter.Parse(l.ToString())).ToArray();
        Assert.Equal(failures.Select(f => f.Message).Order(StringComparer.Ordinal), letters.Select(l => l.Message).Order(StringComparer.Ordinal));
        Assert.All(letters, l => Assert.Equal(typeof(ProtocolException).FullName, l.ErrorType));
        Assert.Equal("root-corrupt", Assert.Single(letters, l => l.CallHash == corrupt.CallHash).RootId);

        // Settled for good: nothing waits in the topic and nothing stays in any consumer's in-flight list.
        await Eventually.HoldsAsync(async () => await redis.Queue.GetStatsAsync(FibTask.Topic) == new QueueStats(FibTask.Topic, 0, 0), "the topic and the in-flight lists empty");
        var lists = redis.Multiplexer.GetServer(redis.Multiplexer.GetEndPoints()[0]).KeysAsync(pattern: $"{{{RedisLayout.Current.TopicList(FibTask.Topic)}}}:brrr:inflight:*");
        await foreach (var list in lists)
        {
            Assert.Equal(0, await raw.ListLengthAsync(list));
        }

        Assert.Equal(new BigInteger(21), await worker.RunAsync(FibTask.Fib, new FibArgs(8, salt + "-after"), TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task A_message_whose_call_hash_holds_braces_or_spaces_is_dead_lettered_with_the_protocol_error_and_makes_no_key()
    {
        using var server = RedisServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
        var raw = redis.Multiplexer.GetDatabase();
        using var system = ActorSystem.Create("redis-bad-hashes", WorkerConfig);
        await using var worker = new LocalBrrr(system, FibTask.Topics(), new BrrrBackends(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default));
        string[] hashes = ["{not-a-hash}", "a b*c?d[e]"];
        foreach (var hash in hashes)
        {
            await raw.ListRightPushAsync(RedisLayout.Current.TopicList(FibTask.Topic), $"li2e1:r{hash.Length}:{hash}e");
        }

        Assert.Equal(new BigInteger(55), await worker.RunAsync(FibTask.Fib, new FibArgs(10, Guid.NewGuid().ToString("N")), TimeSpan.FromSeconds(60)));
        await Eventually.HoldsAsync(() => worker.Failures.Count >= 2, "two failures reported");
        var letters = (await raw.ListRangeAsync(RedisLayout.Current.TopicList(FibTask.Topic + ":dead-letters"))).Select(l => DeadLetter.Parse(l.ToString())).ToArray();
        Assert.Equal(2, letters.Length);
        foreach (var failure in worker.Failures)
        {
            var error = Assert.IsType<ProtocolException>(failure.Error);
            Assert.StartsWith("ScheduleMessage: field 'call_hash': a call hash may hold only ASCII letters, digits and", error.Message, StringComparison.Ordinal);
            var letter = Assert.Single(letters, l => l.Message == failure.Message);
            Assert.Equal((typeof(ProtocolException).FullName, error.Message), (letter.ErrorType, letter.Error));
        }

        var server0 = redis.Multiplexer.GetServer(redis.Multiplexer.GetEndPoints()[0]);
        Assert.Empty(await server0.KeysAsync(pattern: "*not-a-hash*").ToArrayAsync());
        Assert.Empty(await server0.KeysAsync(pattern: "*a b*").ToArrayAsync());
    }

    [Fact]
    public async Task A_10_MB_message_is_dead_lettered_as_a_bounded_excerpt_logged_bounded_and_the_worker_goes_on()
    {
        using var server = RedisServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
        var raw = redis.Multiplexer.GetDatabase();
        using var system = ActorSystem.Create("redis-huge-message", ConfigurationFactory.ParseString("akka.loglevel = ERROR\nakka.stdout-loglevel = OFF\nakka.loggers = []\nbrrr.poll-timeout = 200ms"));
        var logs = new ConcurrentQueue<string>();
        var collector = system.ActorOf(Props.Create(() => new LogCollector(logs)));
        system.EventStream.Subscribe(collector, typeof(Error));
        await using var worker = new LocalBrrr(system, FibTask.Topics(), new BrrrBackends(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default));
        var huge = "li2e4:r00t10485760:" + new string('h', 10 * 1024 * 1024) + "e";
        await raw.ListRightPushAsync(RedisLayout.Current.TopicList(FibTask.Topic), huge);

        Assert.Equal(new BigInteger(55), await worker.RunAsync(FibTask.Fib, new FibArgs(10, Guid.NewGuid().ToString("N")), TimeSpan.FromSeconds(60)));
        await Eventually.HoldsAsync(async () => await raw.ListLengthAsync(RedisLayout.Current.TopicList(FibTask.Topic + ":dead-letters")) == 1, "the huge message dead-lettered");
        var json = (await raw.ListGetByIndexAsync(RedisLayout.Current.TopicList(FibTask.Topic + ":dead-letters"), 0)).ToString();
        Assert.True(json.Length < 4096, $"the dead letter is {json.Length} characters");
        var letter = DeadLetter.Parse(json);
        Assert.Equal(huge[..DeadLetter.KeptChars], letter.Message);
        Assert.Equal(huge.Length, letter.MessageBytes);
        Assert.Equal(typeof(SizeLimitException).FullName, letter.ErrorType);
        Assert.StartsWith($"A queue message is {huge.Length} bytes, over the limit of 4096 bytes (brrr.max-message-bytes): it was not decoded or run. The dead letter keeps only the first 1024 characters", letter.Error, StringComparison.Ordinal);
        var failure = Assert.Single(worker.Failures);
        Assert.False(failure.Released);
        Assert.Null(failure.CallHash);

        await Eventually.HoldsAsync(() => logs.Any(l => l.Contains("failed for good", StringComparison.Ordinal)), "the failure logged");
        Assert.All(logs, l => Assert.True(l.Length < 2048, $"a log line of {l.Length} characters"));
        await Eventually.HoldsAsync(async () => await redis.Queue.GetStatsAsync(FibTask.Topic) == new QueueStats(FibTask.Topic, 0, 0), "the topic and the in-flight lists empty");
        Assert.Equal(new BigInteger(21), await worker.RunAsync(FibTask.Fib, new FibArgs(8, Guid.NewGuid().ToString("N")), TimeSpan.FromSeconds(60)));
    }

    /// <summary>Keeps the text of every error the ActorSystem logs.</summary>
    private sealed class LogCollector : ReceiveActor
    {
        public LogCollector(ConcurrentQueue<string> logs) => Receive<Error>(e => logs.Enqueue($"{e.Message} {e.Cause?.Message}"));
    }
}
