using System.Diagnostics;
using Brrr.Backends;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Brrr.Redis.Tests;

/// <summary>Redis stalls (CLIENT PAUSE on a server of the test's own): commands time out clearly, then work again.</summary>
public sealed class RedisStallTests
{
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Commands_on_a_stalled_redis_fail_with_a_timeout_naming_the_command_before_the_stall_ends_and_work_again_after_it()
    {
        using var server = RedisServer.Start();
        await using var brrr = await RedisBrrr.ConnectAsync(RedisFixture.FastSettings(server.Configuration + ",asyncTimeout=500"));
        var key = MemKey.ValueOf("stall-" + Guid.NewGuid().ToString("N"));
        var topic = "stall-" + Guid.NewGuid().ToString("N");
        var consumer = (RedisQueueConsumer)brrr.Queue.CreateConsumer(topic);
        await using var _ = consumer;
        await brrr.Store.SetAsync(key, "before"u8.ToArray());
        Assert.Null(await consumer.ReceiveAsync(TimeSpan.FromMilliseconds(50)));

        server.Pause(Stall);
        var clock = Stopwatch.StartNew();
        (string[] Commands, Task Operation)[] stalled =
        [
            (["GET"], brrr.Store.GetAsync(key)),
            (["EVALSHA"], brrr.Store.CompareAndSetAsync(key, "cas"u8.ToArray(), "before"u8.ToArray())),
            (["INCR", "EXPIRE"], brrr.Cache.IncrAsync(topic)),
            (["RPUSH"], brrr.Queue.PushAsync(topic, "pushed-while-stalled")),
            (["EVALSHA"], consumer.ReceiveAsync(TimeSpan.FromSeconds(1))),
        ];
        foreach (var (commands, operation) in stalled)
        {
            var error = await Assert.ThrowsAsync<RedisTimeoutException>(() => operation);
            Assert.Contains("timeout is 500ms", error.Message, StringComparison.Ordinal);
            Assert.Contains(commands, command => error.Message.Contains($"command={command},", StringComparison.Ordinal));
        }

        Assert.True(clock.Elapsed < Stall, $"the commands failed only after {clock.Elapsed.TotalSeconds:0.0} s, not before the {Stall.TotalSeconds} s stall ended");

        // Afterwards the same backends work. A timed-out command may have run late or not at all (StackExchange.Redis
        // may drop the connection it waits on): the message pushed during the stall arrives at most once.
        await Eventually.HoldsAsync(() => brrr.Store.HasAsync(key), "Redis answers again", notYet: RedisErrors.IsCommandFailure);
        await brrr.Store.SetAsync(key, "after"u8.ToArray());
        Assert.Equal("after"u8.ToArray(), await brrr.Store.GetAsync(key));
        await brrr.Queue.PushAsync(topic, "after");
        var received = new List<string>();
        while (!received.Contains("after"))
        {
            var delivery = await consumer.ReceiveAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(delivery);
            received.Add(delivery.Message);
            await consumer.AckAsync(delivery);
        }

        Assert.Subset(new HashSet<string> { "pushed-while-stalled", "after" }, received.ToHashSet());
        Assert.Equal(received.Count, received.Distinct().Count());
        Assert.Equal(new QueueStats(topic, 0, 0), await brrr.Queue.GetStatsAsync(topic));

        // The heartbeat lapsed during the stall (1 s time to live): the consumer's liveness loop must beat again.
        await Eventually.HoldsAsync(() => brrr.Multiplexer.GetDatabase().KeyExistsAsync(RedisFixture.KeysOf(RedisLayout.Current).Heartbeat(topic, consumer.Id)), "the consumer's heartbeat is back", notYet: RedisErrors.IsCommandFailure);
    }
}

/// <summary>An outage does not flood the logs: one line per kind of failure and backoff step, stack traces at debug level.</summary>
public sealed class RedisOutageLogTests
{
    [Fact]
    public async Task A_consumer_whose_heartbeat_fails_through_a_stall_logs_a_few_lines_without_stack_traces()
    {
        using var server = RedisServer.Start();
        using var logs = new CapturedLogs();
        var settings = RedisFixture.FastSettings(server.Configuration + ",asyncTimeout=100") with
        {
            HeartbeatInterval = TimeSpan.FromMilliseconds(50),
            HeartbeatTtl = TimeSpan.FromSeconds(10),
            RecoveryInterval = TimeSpan.FromMilliseconds(50),
        };
        await using var brrr = await RedisBrrr.ConnectAsync(settings, logs);
        var topic = "outage-" + Guid.NewGuid().ToString("N");
        var consumer = (RedisQueueConsumer)brrr.Queue.CreateConsumer(topic);
        await using var _ = consumer;
        Assert.Null(await consumer.ReceiveAsync(TimeSpan.FromMilliseconds(50)));

        // Every beat and every scan fails during the stall (each after about a second: StackExchange.Redis checks for
        // timeouts once a second); each used to be a warning with its stack trace.
        server.Pause(TimeSpan.FromSeconds(6));
        await Eventually.HoldsAsync(() => logs.Entries.Any(e => e.Level == LogLevel.Debug && e.Exception is not null && e.Message.Contains("heartbeat", StringComparison.Ordinal)), "a heartbeat failed");
        await Eventually.HoldsAsync(() => brrr.Multiplexer.GetDatabase().KeyExistsAsync(RedisFixture.KeysOf(RedisLayout.Current).Heartbeat(topic, consumer.Id)), "the heartbeat is back after the stall", TimeSpan.FromSeconds(30), notYet: RedisErrors.IsCommandFailure);

        var failures = logs.Entries.Where(e => e.Message.StartsWith("Could not ", StringComparison.Ordinal)).ToArray();
        var warnings = failures.Where(e => e.Level >= LogLevel.Warning).ToArray();
        var debugs = failures.Where(e => e.Level == LogLevel.Debug).ToArray();
        // How few lines an outage of any length gives is LogThrottleTests' part; here: the throttle is used, warnings carry
        // no stack trace, and every failure has its stack trace at debug level.
        Assert.True(debugs.Length >= 2, $"only {debugs.Length} failures were seen; the stall did not fail the liveness loop as planned");
        Assert.All(warnings, w => Assert.Null(w.Exception));
        Assert.All(debugs, d => Assert.NotNull(d.Exception));
        Assert.InRange(warnings.Length, 1, debugs.Length);
        // Each warning names the type of the error it stands for. A stall times commands out, and StackExchange.Redis may
        // then drop the connection, so a later kind can be another Redis error: the types come from the debug lines.
        Assert.All(warnings, w => Assert.Contains(debugs, d => w.Message.Contains(": " + d.Exception!.GetType().Name, StringComparison.Ordinal)));
        Assert.Contains(warnings, w => w.Message.Contains("RedisTimeoutException", StringComparison.Ordinal));
    }
}
