using System.Numerics;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
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
}
