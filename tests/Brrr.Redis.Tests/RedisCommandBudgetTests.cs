using Brrr.Contracts.Servers;
using Brrr.Protocol;
using StackExchange.Redis;

namespace Brrr.Redis.Tests;

/// <summary>
/// The Redis commands a job costs, counted by the server itself (<c>INFO commandstats</c>, which counts the commands
/// scripts run too) on a server of the test's own: the spawn counter's expiry is set once per root (and checked every
/// 64th job), not once per job, and a receive looks up redelivery marks only when there are some.
/// </summary>
public sealed class RedisCommandBudgetTests : IAsyncLifetime
{
    private const int Jobs = 20;
    private RedisServer? _server;
    private RedisBrrr? _brrr;
    private ConnectionMultiplexer? _admin;

    private RedisBrrr Brrr => _brrr!;

    public async Task InitializeAsync()
    {
        _server = RedisServer.Start();
        _brrr = await RedisBrrr.ConnectAsync(RedisFixture.FastSettings(_server.Configuration));
        _admin = await ConnectionMultiplexer.ConnectAsync(_server.Configuration + ",allowAdmin=true");
    }

    public async Task DisposeAsync()
    {
        if (_brrr is not null)
        {
            await _brrr.DisposeAsync();
        }

        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }

        _server?.Dispose();
    }

    [Fact]
    public async Task Counting_and_pushing_a_root_s_jobs_sets_its_counter_s_expiry_once()
    {
        var jobs = new global::Brrr.Jobs(Brrr.Cache, Brrr.Queue);
        Assert.True(jobs.CountsAndPushesAtOnce);
        var root = "root-" + Guid.NewGuid().ToString("N");
        var before = await CallsAsync();

        for (var i = 0; i < Jobs; i++)
        {
            await jobs.PutAsync("budget", new ScheduleMessage(root, $"c{i}"));
        }

        var calls = Delta(before, await CallsAsync());
        Assert.Equal(Jobs, calls.GetValueOrDefault("incr"));
        Assert.Equal(Jobs, calls.GetValueOrDefault("rpush"));
        Assert.Equal(1, calls.GetValueOrDefault("pexpire"));
        var ttl = await Brrr.Multiplexer.GetDatabase().KeyTimeToLiveAsync(RedisLayout.Current.SpawnCounter(root));
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromHours(23), TimeSpan.FromHours(24));
    }

    [Fact]
    public async Task A_counter_a_reference_worker_created_without_an_expiry_gets_one_within_64_pushes()
    {
        var jobs = new global::Brrr.Jobs(Brrr.Cache, Brrr.Queue);
        var root = "root-" + Guid.NewGuid().ToString("N");
        var db = Brrr.Multiplexer.GetDatabase();
        await db.StringIncrementAsync(RedisLayout.Current.SpawnCounter(root));

        for (var i = 0; i < 62; i++)
        {
            await jobs.PutAsync("budget-ttl", new ScheduleMessage(root, $"c{i}"));
        }

        Assert.Null(await db.KeyTimeToLiveAsync(RedisLayout.Current.SpawnCounter(root)));
        await jobs.PutAsync("budget-ttl", new ScheduleMessage(root, "c62"));
        var ttl = await db.KeyTimeToLiveAsync(RedisLayout.Current.SpawnCounter(root));
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromHours(23), TimeSpan.FromHours(24));
    }

    [Fact]
    public async Task A_receive_looks_up_redelivery_marks_only_when_a_message_was_given_back()
    {
        var topic = "budget-" + Guid.NewGuid().ToString("N");
        for (var i = 0; i < Jobs; i++)
        {
            await Brrr.Queue.PushAsync(topic, $"m{i}");
        }

        await using var consumer = Brrr.Queue.CreateConsumer(topic);
        var before = await CallsAsync();
        var first = await consumer.ReceiveManyAsync(Jobs / 2, TimeSpan.FromSeconds(1));
        var fresh = Delta(before, await CallsAsync());

        Assert.Equal(Jobs / 2, first.Count);
        Assert.All(first, delivery => Assert.False(delivery.Redelivered));
        Assert.Equal(Jobs / 2, fresh.GetValueOrDefault("lmove"));
        Assert.Equal(0, fresh.GetValueOrDefault("hget"));

        // One message given back: its mark exists, so the next receive reads the marks of the messages it takes.
        await consumer.ReleaseAsync(first[0]);
        before = await CallsAsync();
        var second = await consumer.ReceiveManyAsync(Jobs, TimeSpan.FromSeconds(1));
        var marked = Delta(before, await CallsAsync());

        Assert.Equal((Jobs / 2) + 1, second.Count);
        Assert.Equal([first[0].Message], second.Where(d => d.Redelivered).Select(d => d.Message));
        Assert.Equal(second.Count, marked.GetValueOrDefault("hget"));
        foreach (var delivery in first.Skip(1).Concat(second))
        {
            await consumer.AckAsync(delivery);
        }
    }

    private async Task<Dictionary<string, long>> CallsAsync()
    {
        var server = _admin!.GetServer(_admin.GetEndPoints()[0]);
        var info = await server.InfoAsync("commandstats");
        return info.SelectMany(group => group)
            .Where(pair => pair.Key.StartsWith("cmdstat_", StringComparison.Ordinal))
            .ToDictionary(
                pair => pair.Key["cmdstat_".Length..],
                pair => long.Parse(pair.Value.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static Dictionary<string, long> Delta(Dictionary<string, long> before, Dictionary<string, long> after) =>
        after.ToDictionary(pair => pair.Key, pair => pair.Value - before.GetValueOrDefault(pair.Key));
}
