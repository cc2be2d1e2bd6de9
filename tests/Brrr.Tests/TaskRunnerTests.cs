using Brrr.Codecs;
using Brrr.Tasks;

namespace Brrr.Tests;

/// <summary>One run of a task to its outcome (PROTOCOL.md §5, 2), without a queue or a store.</summary>
public sealed class TaskRunnerTests
{
    public sealed record N(int X);

    private static readonly JsonCodec Codec = JsonCodec.Default;
    private static readonly BrrrTask<N, int> Foo = BrrrTask.Create<N, int>("foo", (_, a) => Task.FromResult(a.X));
    private static readonly BrrrTask<N, int> Bar = BrrrTask.Create<N, int>("bar", (_, a) => Task.FromResult(a.X * 2));

    private readonly Dictionary<string, byte[]> _values = new(StringComparer.Ordinal);

    private Task<CallOutcome> RunAsync<TResult>(BrrrTask<N, TResult> task, int x = 0, string topic = "main") =>
        TaskRunner.RunAsync(task, Codec.EncodeCall(task.Name, new N(x)), topic, "root", Codec, ReadValue);

    private Task<byte[]?> ReadValue(string callHash, CancellationToken cancellationToken) =>
        Task.FromResult(_values.GetValueOrDefault(callHash));

    private void Store<TResult>(string taskName, int x, TResult value) =>
        _values[Codec.EncodeCall(taskName, new N(x)).CallHash] = Codec.EncodeReturn(value);

    private static string HashOf(string taskName, int x) => Codec.EncodeCall(taskName, new N(x)).CallHash;

    [Fact]
    public async Task Fifty_identical_gathered_children_defer_with_one_child()
    {
        var parent = BrrrTask.Create<N, int>("parent", async (ctx, _) =>
            (await ctx.Gather(Enumerable.Range(0, 50).Select(_ => ctx.Call(Foo, new N(7))))).Sum());

        var deferred = Assert.IsType<CallDeferred>(await RunAsync(parent));

        var child = Assert.Single(deferred.Children);
        Assert.Equal(HashOf("foo", 7), child.Call.CallHash);
        Assert.Equal("main", child.Topic);
    }

    [Fact]
    public async Task Fifty_distinct_gathered_children_defer_with_all_fifty()
    {
        var parent = BrrrTask.Create<N, int>("parent", async (ctx, _) =>
            (await ctx.Gather(Enumerable.Range(0, 50).Select(i => ctx.Call(Foo, new N(i))))).Sum());

        var deferred = Assert.IsType<CallDeferred>(await RunAsync(parent));

        Assert.Equal(50, deferred.Children.Count);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => HashOf("foo", i)).ToHashSet(), deferred.Children.Select(c => c.Call.CallHash).ToHashSet());
    }

    [Fact]
    public async Task Sequential_calls_defer_on_the_first_missing_child_only()
    {
        var parent = BrrrTask.Create<N, int>("parent", async (ctx, a) =>
        {
            var first = await ctx.Call(Foo, new N(a.X));
            return first + await ctx.Call(Bar, new N(a.X));
        });

        var deferred = Assert.IsType<CallDeferred>(await RunAsync(parent, 3));
        Assert.Equal(HashOf("foo", 3), Assert.Single(deferred.Children).Call.CallHash);

        // Once the first is stored, the run gets as far as the second.
        Store("foo", 3, 3);
        deferred = Assert.IsType<CallDeferred>(await RunAsync(parent, 3));
        Assert.Equal(HashOf("bar", 3), Assert.Single(deferred.Children).Call.CallHash);
    }

    [Fact]
    public async Task Fifty_identical_sequential_calls_defer_with_one_child()
    {
        var parent = BrrrTask.Create<N, int>("parent", async (ctx, _) =>
        {
            var sum = 0;
            for (var i = 0; i < 50; i++)
            {
                sum += await ctx.Call(Foo, new N(1));
            }

            return sum;
        });

        Assert.Single(Assert.IsType<CallDeferred>(await RunAsync(parent)).Children);
    }

    [Fact]
    public async Task Gathered_helpers_that_chain_two_calls_defer_on_every_first_call()
    {
        var parent = BrrrTask.Create<N, int>("parent", async (ctx, _) =>
        {
            async Task<int> Helper(int x) => await ctx.Call(Bar, new N(await ctx.Call(Foo, new N(x))));
            return (await ctx.Gather(Helper(1), Helper(2))).Sum();
        });

        var deferred = Assert.IsType<CallDeferred>(await RunAsync(parent));
        Assert.Equal(2, deferred.Children.Count);
        Assert.Equal([HashOf("foo", 1), HashOf("foo", 2)], deferred.Children.Select(c => c.Call.CallHash).ToHashSet());

        // With foo(1) stored, helper 1 moves on to bar(1) while foo(2) is still missing.
        Store("foo", 1, 10);
        deferred = Assert.IsType<CallDeferred>(await RunAsync(parent));
        Assert.Equal([HashOf("bar", 10), HashOf("foo", 2)], deferred.Children.Select(c => c.Call.CallHash).ToHashSet());
    }

    [Fact]
    public async Task By_name_reference_with_a_topic_sends_the_child_to_that_topic()
    {
        var remote = BrrrTask.Ref<N, int>("remote", "other-topic");
        var parent = BrrrTask.Create<N, int>("parent", async (ctx, _) =>
            (await ctx.Gather(ctx.Call(remote, new N(1)), ctx.Call(remote.OnTopic("third"), new N(2)), ctx.Call(remote, new N(3), topic: "explicit"), ctx.Call(Foo, new N(4)))).Sum());

        var deferred = Assert.IsType<CallDeferred>(await RunAsync(parent, topic: "main"));

        var topics = deferred.Children.ToDictionary(c => c.Call.CallHash, c => c.Topic);
        Assert.Equal("other-topic", topics[HashOf("remote", 1)]);
        Assert.Equal("third", topics[HashOf("remote", 2)]);
        Assert.Equal("explicit", topics[HashOf("remote", 3)]);
        Assert.Equal("main", topics[HashOf("foo", 4)]);
        Assert.Equal("remote", deferred.Children.First(c => c.Call.CallHash == HashOf("remote", 1)).Call.TaskName);
    }

    [Fact]
    public async Task A_stored_child_value_is_returned_decoded()
    {
        Store("foo", 5, 41);
        var parent = BrrrTask.Create<N, int>("parent", async (ctx, a) => await ctx.Call(Foo, new N(a.X)) + 1);

        var completed = Assert.IsType<CallCompleted>(await RunAsync(parent, 5));

        Assert.Equal(42, Codec.DecodeReturn<int>("parent", completed.Value));
    }

    [Fact]
    public async Task Stored_values_of_gathered_children_come_back_in_call_order()
    {
        for (var i = 0; i < 5; i++)
        {
            Store("foo", i, i * 100);
        }

        var parent = BrrrTask.Create<N, int[]>("parent", (ctx, _) => ctx.Gather(Enumerable.Range(0, 5).Select(i => ctx.Call(Foo, new N(i)))));

        var completed = Assert.IsType<CallCompleted>(await RunAsync(parent));

        Assert.Equal([0, 100, 200, 300, 400], Codec.DecodeReturn<int[]>("parent", completed.Value));
    }

    [Fact]
    public async Task A_task_failure_propagates_wrapped_with_the_call_it_failed_on()
    {
        var failing = BrrrTask.Create<N, int>("failing", (_, _) => throw new InvalidOperationException("boom"));
        var error = await Assert.ThrowsAsync<TaskFailedException>(() => RunAsync(failing));
        Assert.Equal("failing", error.TaskName);
        Assert.Equal("boom", Assert.IsType<InvalidOperationException>(error.InnerException).Message);
    }

    [Fact]
    public async Task A_failure_inside_a_gather_with_every_child_present_propagates()
    {
        Store("foo", 1, 1);
        var failing = BrrrTask.Create<N, int>("failing", async (ctx, _) =>
        {
            async Task<int> Boom()
            {
                await Task.Yield();
                throw new ArgumentException("bad helper");
            }

            return (await ctx.Gather(ctx.Call(Foo, new N(1)), Boom())).Sum();
        });

        var error = await Assert.ThrowsAsync<TaskFailedException>(() => RunAsync(failing));
        Assert.IsType<ArgumentException>(error.InnerException);
    }

    [Fact]
    public async Task Arguments_that_do_not_fit_the_task_are_a_protocol_error()
    {
        var call = new Call("foo", TestSupport.Utf8("[{\"x\":\"not a number\"}]"), "h");
        await Assert.ThrowsAsync<ProtocolException>(() => TaskRunner.RunAsync(Foo, call, "main", "root", Codec, ReadValue));
    }

    [Fact]
    public async Task The_context_exposes_the_call_topic_and_root()
    {
        var seen = new List<string>();
        var probe = BrrrTask.Create<N, int>("probe", (ctx, _) =>
        {
            seen.AddRange([ctx.CurrentCall.TaskName, ctx.Topic, ctx.RootId]);
            return Task.FromResult(0);
        });

        Assert.IsType<CallCompleted>(await RunAsync(probe, topic: "t9"));
        Assert.Equal(["probe", "t9", "root"], seen);
    }
}
