using System.Collections.Concurrent;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr.Tests;

/// <summary>
/// Whole workflows on the in-memory backends, driven by hand: receive a message, handle it as the worker does
/// (<see cref="WorkerPath.HandleAsync"/>), acknowledge, until every topic is empty (PROTOCOL.md §5).
/// </summary>
public sealed class WorkflowTests
{
    public sealed record N(int X);

    private const string Topic = "main";
    private readonly InMemoryStore _store = new();
    private readonly InMemoryCache _cache = new();
    private readonly InMemoryQueue _queue = new();
    private readonly ConcurrentDictionary<string, int> _runs = new(StringComparer.Ordinal);
    private readonly BrrrClient _client;
    private readonly CallProcessor _processor;

    public WorkflowTests()
    {
        _client = new BrrrClient(_store, _cache, _queue);
        _processor = new CallProcessor(_client.Memory, _client.Jobs, JsonCodec.Default);
    }

    private void Count(string task, int x) => _runs.AddOrUpdate($"{task}({x})", 1, (_, n) => n + 1);

    private int Runs(string task, int x) => _runs.GetValueOrDefault($"{task}({x})");

    /// <summary>Handles messages on <paramref name="topics"/> until all are empty; returns how many were handled.</summary>
    private async Task<int> DrainAsync(TaskSet tasks, params string[] topics)
    {
        var consumers = topics.Select(_queue.CreateConsumer).ToArray();
        var handled = 0;
        try
        {
            for (var progress = true; progress;)
            {
                progress = false;
                foreach (var consumer in consumers)
                {
                    while (await consumer.ReceiveAsync(TimeSpan.Zero) is { } delivery)
                    {
                        await _processor.HandleAsync(delivery, tasks);
                        await consumer.AckAsync(delivery);
                        progress = true;
                        Assert.True(++handled < 10_000, "the workflow does not terminate");
                    }
                }
            }
        }
        finally
        {
            foreach (var consumer in consumers)
            {
                await consumer.DisposeAsync();
            }
        }

        foreach (var topic in topics)
        {
            Assert.Equal(new QueueStats(topic, 0, 0), await _queue.GetStatsAsync(topic));
        }

        return handled;
    }

    private async Task<List<ScheduleMessage>> WaitingAsync(string topic)
    {
        var messages = new List<ScheduleMessage>();
        await using var consumer = _queue.CreateConsumer(topic);
        while (await consumer.ReceiveAsync(TimeSpan.Zero) is { } delivery)
        {
            messages.Add(ScheduleMessage.FromWire(delivery.Message));
            await consumer.AckAsync(delivery);
        }

        return messages;
    }

    private async Task<QueueDelivery> ReceiveOneAsync(string topic)
    {
        await using var consumer = _queue.CreateConsumer(topic);
        var delivery = await consumer.ReceiveAsync(TimeSpan.Zero);
        Assert.NotNull(delivery);
        await consumer.AckAsync(delivery);
        return delivery;
    }

    [Fact]
    public async Task Foo_calling_bar_completes_and_the_client_reads_457()
    {
        var bar = BrrrTask.Create<N, int>("bar", (_, a) =>
        {
            Count("bar", a.X);
            return Task.FromResult(a.X + 333);
        });
        var foo = BrrrTask.Create<N, int>("foo", async (ctx, a) =>
        {
            Count("foo", a.X);
            return await ctx.Call(bar, new N(a.X + 1)) + 1;
        });
        var tasks = new TaskSet(foo, bar);

        await _client.ScheduleAsync(foo, new N(122), Topic);
        var handled = await DrainAsync(tasks, Topic);

        Assert.Equal(new ReadResult<int>(true, 457), await _client.ReadAsync(foo, new N(122)));
        Assert.Equal(new ReadResult<int>(true, 456), await _client.ReadAsync(bar, new N(123)));
        Assert.Equal(3, handled);
        Assert.Equal(2, Runs("foo", 122));
        Assert.Equal(1, Runs("bar", 123));
    }

    [Fact]
    public async Task Reading_an_uncomputed_call_or_an_unknown_task_finds_nothing()
    {
        var foo = BrrrTask.Create<N, int>("foo", (_, a) => Task.FromResult(a.X));
        await _client.ScheduleAsync(foo, new N(1), Topic);

        Assert.False((await _client.ReadAsync(foo, new N(1))).Found);
        Assert.False((await _client.ReadAsync(foo, new N(2))).Found);
        Assert.Equal(ReadResult<int>.NotFound, await _client.ReadAsync(BrrrTask.Ref<N, int>("no-such-task"), new N(1)));
    }

    [Fact]
    public async Task Recursive_chain_runs_each_link_the_expected_number_of_times()
    {
        var fooRef = BrrrTask.Ref<N, int>("foo");
        var foo = BrrrTask.Create<N, int>("foo", async (ctx, a) =>
        {
            Count("foo", a.X);
            return a.X == 0 ? 0 : await ctx.Call(fooRef, new N(a.X - 1)) + 1;
        });

        await _client.ScheduleAsync(foo, new N(3), Topic);
        await DrainAsync(new TaskSet(foo), Topic);

        Assert.Equal(new ReadResult<int>(true, 3), await _client.ReadAsync(foo, new N(3)));
        Assert.Equal(new Dictionary<string, int> { ["foo(0)"] = 1, ["foo(1)"] = 2, ["foo(2)"] = 2, ["foo(3)"] = 2 }, _runs);
    }

    [Fact]
    public async Task Child_called_fifty_times_by_one_parent_is_scheduled_once()
    {
        var child = BrrrTask.Create<N, int>("child", (_, a) =>
        {
            Count("child", a.X);
            return Task.FromResult(a.X);
        });
        var parent = BrrrTask.Create<N, int>("parent", async (ctx, a) =>
        {
            Count("parent", a.X);
            return (await ctx.Gather(Enumerable.Range(0, 50).Select(_ => ctx.Call(child, new N(7))))).Sum();
        });
        var tasks = new TaskSet(parent, child);
        await _client.ScheduleAsync(parent, new N(0), Topic);

        var deferred = Assert.IsType<CallDeferred>(await _processor.HandleAsync(await ReceiveOneAsync(Topic), tasks));
        Assert.Single(deferred.Children);
        var waiting = await WaitingAsync(Topic);
        Assert.Equal(JsonCodec.Default.EncodeCall("child", new N(7)).CallHash, Assert.Single(waiting).CallHash);

        await _queue.PushAsync(Topic, waiting[0].ToWire());
        await DrainAsync(tasks, Topic);
        Assert.Equal(new ReadResult<int>(true, 350), await _client.ReadAsync(parent, new N(0)));
        Assert.Equal(1, Runs("child", 7));
        Assert.Equal(2, Runs("parent", 0));
    }

    [Fact]
    public async Task Fifty_distinct_children_are_each_scheduled_and_run_once()
    {
        var child = BrrrTask.Create<N, int>("child", (_, a) =>
        {
            Count("child", a.X);
            return Task.FromResult(a.X);
        });
        var parent = BrrrTask.Create<N, int>("parent", async (ctx, a) =>
        {
            Count("parent", a.X);
            return (await ctx.Gather(Enumerable.Range(0, 50).Select(i => ctx.Call(child, new N(i))))).Sum();
        });
        var tasks = new TaskSet(parent, child);
        await _client.ScheduleAsync(parent, new N(0), Topic);

        var deferred = Assert.IsType<CallDeferred>(await _processor.HandleAsync(await ReceiveOneAsync(Topic), tasks));
        Assert.Equal(50, deferred.Children.Count);
        Assert.Equal(50, (await _queue.GetStatsAsync(Topic)).Waiting);

        await DrainAsync(tasks, Topic);
        Assert.Equal(new ReadResult<int>(true, 1225), await _client.ReadAsync(parent, new N(0)));
        Assert.All(Enumerable.Range(0, 50), i => Assert.Equal(1, Runs("child", i)));

        // The reference workers re-run the parent once per completed child; fewer is allowed, more is not.
        Assert.InRange(Runs("parent", 0), 2, 51);
    }

    [Fact]
    public async Task Child_on_another_topic_is_pushed_there_and_returns_to_the_parent_topic()
    {
        var remote = BrrrTask.Ref<N, int>("remote", "other");
        var served = BrrrTask.Create<N, int>("remote", (_, a) => Task.FromResult(a.X * 10));
        var parent = BrrrTask.Create<N, int>("parent", async (ctx, a) => await ctx.Call(remote, new N(a.X)) + 1);
        await _client.ScheduleAsync(parent, new N(4), Topic);

        await _processor.HandleAsync(await ReceiveOneAsync(Topic), new TaskSet(parent));
        Assert.Equal(new QueueStats("other", 1, 0), await _queue.GetStatsAsync("other"));
        Assert.Equal(0, (await _queue.GetStatsAsync(Topic)).Waiting);

        await _processor.HandleAsync(await ReceiveOneAsync("other"), new TaskSet(served));
        Assert.Equal(1, (await _queue.GetStatsAsync(Topic)).Waiting);

        await DrainAsync(new TaskSet(parent), Topic);
        Assert.Equal(new ReadResult<int>(true, 41), await _client.ReadAsync(parent, new N(4)));
    }

    [Fact]
    public async Task Unknown_task_name_is_task_not_found()
    {
        var foo = BrrrTask.Create<N, int>("foo", (_, a) => Task.FromResult(a.X));
        await _client.ScheduleAsync(foo, new N(1), Topic);
        var loaded = await _processor.LoadAsync(await ReceiveOneAsync(Topic));

        var error = await Assert.ThrowsAsync<TaskNotFoundException>(() => _processor.RunAsync(loaded, new TaskSet()));

        Assert.Equal("foo", error.TaskName);
        Assert.Equal(Topic, error.Topic);
    }

    [Fact]
    public async Task Scheduling_a_computed_call_pushes_nothing()
    {
        var foo = BrrrTask.Create<N, int>("foo", (_, a) => Task.FromResult(a.X));
        await _client.ScheduleAsync(foo, new N(1), Topic);
        await DrainAsync(new TaskSet(foo), Topic);

        await _client.ScheduleAsync(foo, new N(1), Topic);

        Assert.Equal(0, (await _queue.GetStatsAsync(Topic)).Waiting);
    }

    [Fact]
    public async Task Completion_over_the_spawn_limit_stores_the_value_and_raises_after_the_other_returns()
    {
        var client = new BrrrClient(_store, _cache, _queue, spawnLimit: 2);
        var processor = new CallProcessor(client.Memory, client.Jobs, JsonCodec.Default);
        var child = BrrrTask.Create<N, int>("child", (_, a) => Task.FromResult(a.X));
        var hash = JsonCodec.Default.EncodeCall("child", new N(1)).CallHash;
        await client.Memory.AddPendingReturnAsync(hash, new PendingReturn("busy-root", "p1", Topic));
        await client.Memory.AddPendingReturnAsync(hash, new PendingReturn("fresh-root", "p2", Topic));
        await _cache.IncrAsync("busy-root");
        await _cache.IncrAsync("busy-root");

        var error = await Assert.ThrowsAsync<SpawnLimitException>(() => processor.ReturnValueAsync(hash, JsonCodec.Default.EncodeReturn(1)));

        Assert.Equal("busy-root", error.RootId);
        Assert.Equal(new ReadResult<int>(true, 1), await client.ReadAsync(child, new N(1)));
        Assert.Equal([new ScheduleMessage("fresh-root", "p2")], await WaitingAsync(Topic));
    }

    [Fact]
    public async Task Redelivered_message_of_a_computed_call_resends_returns_without_running_again()
    {
        var child = BrrrTask.Create<N, int>("child", (_, a) =>
        {
            Count("child", a.X);
            return Task.FromResult(a.X);
        });
        var call = await _client.ScheduleAsync(child, new N(9), Topic);
        await DrainAsync(new TaskSet(child), Topic);
        await _client.Memory.AddPendingReturnAsync(call.CallHash, new PendingReturn("r", "parent", Topic));

        var outcome = await _processor.HandleAsync(new QueueDelivery(Topic, new ScheduleMessage("r", call.CallHash).ToWire(), Redelivered: true), new TaskSet(child));

        Assert.IsType<CallCompleted>(outcome);
        Assert.Equal(1, Runs("child", 9));
        Assert.Equal([new ScheduleMessage("r", "parent")], await WaitingAsync(Topic));
    }
}
