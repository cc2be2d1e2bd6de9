using System.Collections.Concurrent;
using Brrr.Backends;
using Brrr.Protocol;

namespace Brrr.Tests;

/// <summary>
/// Return registration racing the child's completion (PROTOCOL.md §5, 3b against 4): every return address is
/// sent exactly once, either by the completion's remove loop or, for a registration that came after the removal,
/// by the re-run its own registration asked for.
/// </summary>
public sealed class MemoryRaceTests
{
    private const int Parents = 50;
    private const string Child = "child-hash";

    public static TheoryData<int> Rounds => new(Enumerable.Range(0, 20));

    [Theory]
    [MemberData(nameof(Rounds))]
    public async Task Returns_registered_while_the_child_completes_are_each_sent_exactly_once(int round)
    {
        var store = new InMemoryStore();
        // Every other round yields before each store operation, to provoke compare-and-set conflicts.
        var memory = new Memory(round % 2 == 0 ? new YieldingStore(store) : store);
        var returns = Enumerable.Range(0, Parents).Select(i => new PendingReturn($"root-{i}", $"parent-{i}", "topic")).ToArray();
        var sends = new ConcurrentDictionary<PendingReturn, int>();
        Task Send(PendingReturn r)
        {
            sends.AddOrUpdate(r, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registrations = returns.Select(r => Task.Run(async () =>
        {
            await start.Task;
            return await memory.AddPendingReturnAsync(Child, r);
        })).ToArray();

        // The completion joins the race after a round-dependent share of the registrations has started.
        var completion = Task.Run(async () =>
        {
            await start.Task;
            for (var i = 0; i < round; i++)
            {
                await Task.Yield();
            }

            await memory.SetValueAsync(Child, [1]);
            await memory.RemovePendingReturnsAsync(Child, Send);
        });
        start.SetResult();
        var schedule = await Task.WhenAll(registrations);
        await completion;

        var leftoverBytes = await store.GetAsync(MemKey.PendingReturnsOf(Child));
        var leftover = leftoverBytes is null ? [] : PendingReturns.Decode(leftoverBytes).Returns.ToArray();

        // Sent by the completion, or left for a re-run: never both, never neither, never twice.
        Assert.All(sends, s => Assert.Equal(1, s.Value));
        Assert.DoesNotContain(leftover, sends.ContainsKey);
        Assert.Equal(returns.ToHashSet(), sends.Keys.Concat(leftover).ToHashSet());

        // Anything left over is in a record whose creation said "schedule the child".
        if (leftover.Length > 0)
        {
            Assert.Contains(Enumerable.Range(0, Parents), i => schedule[i] && leftover.Contains(returns[i]));
        }

        // That re-run of the child sends the rest, and nothing twice.
        await memory.RemovePendingReturnsAsync(Child, Send);
        Assert.Equal(Parents, sends.Count);
        Assert.All(returns, r => Assert.Equal(1, sends[r]));
        Assert.Null(await store.GetAsync(MemKey.PendingReturnsOf(Child)));
    }

    [Theory]
    [MemberData(nameof(Rounds))]
    public async Task Concurrent_registrations_of_distinct_parents_all_land_and_schedule_the_child_once(int round)
    {
        var store = new InMemoryStore();
        var memory = new Memory(round % 2 == 0 ? new YieldingStore(store) : store);
        var returns = Enumerable.Range(0, Parents).Select(i => new PendingReturn($"root-{i % 5}", $"parent-{i}", "topic")).ToArray();
        var schedule = await Task.WhenAll(returns.Select(r => Task.Run(() => memory.AddPendingReturnAsync(Child, r))));

        Assert.Single(schedule, s => s);
        var record = PendingReturns.Decode((await store.GetAsync(MemKey.PendingReturnsOf(Child)))!);
        Assert.Equal(returns.ToHashSet(), record.Returns.ToHashSet());
    }

    [Fact]
    public async Task Return_added_between_the_read_and_the_delete_is_sent_on_the_next_try_and_the_first_not_again()
    {
        var first = new PendingReturn("root-1", "parent-1", "t");
        var late = new PendingReturn("root-2", "parent-2", "t");
        var inner = new InMemoryStore();
        var racing = new BeforeFirstCompareAndDeleteStore(inner, s => new Memory(s).AddPendingReturnAsync(Child, late));
        var memory = new Memory(racing);
        Assert.True(await memory.AddPendingReturnAsync(Child, first));

        var sent = new List<PendingReturn>();
        await memory.RemovePendingReturnsAsync(Child, r =>
        {
            lock (sent)
            {
                sent.Add(r);
            }

            return Task.CompletedTask;
        });

        Assert.Equal([first, late], sent);
        Assert.Null(await inner.GetAsync(MemKey.PendingReturnsOf(Child)));
    }

    [Fact]
    public async Task Removing_returns_of_a_call_nobody_waits_for_sends_nothing()
    {
        var memory = new Memory(new InMemoryStore());
        var sends = 0;
        await memory.RemovePendingReturnsAsync(Child, _ =>
        {
            sends++;
            return Task.CompletedTask;
        });
        Assert.Equal(0, sends);
    }
}
