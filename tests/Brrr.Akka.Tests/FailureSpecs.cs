using Akka.Configuration;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Protocol;
using Brrr.Tasks;
using Brrr.TestKit;

namespace Brrr.Akka.Tests;

public sealed class FailureSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    private const string DeadLetters = "t:dead-letters";

    private static readonly BrrrTask<int, int> Bar = BrrrTask.Create<int, int>("bar", (_, a) => Task.FromResult(a == 123 ? 456 : -1));
    private static readonly BrrrTask<int, int> Foo = BrrrTask.Create<int, int>("foo", async (ctx, a) => await ctx.Call(Bar, a + 1) + 1);
    private static readonly BrrrTask<int, int> Boom = BrrrTask.Create<int, int>("boom", (_, _) => throw new InvalidOperationException("boom!"));

    public FailureSpecs() : base(ConfigurationFactory.ParseString("""
        akka.loglevel = OFF
        brrr.retry-backoff-min = 10ms
        brrr.task-attempts = 3
        """))
    {
    }

    [Fact]
    public async Task A_throwing_task_an_unknown_task_and_garbage_do_not_stop_the_worker_and_end_as_dead_letters()
    {
        await using var brrr = new LocalBrrr(Sys, "t", Foo, Bar, Boom);
        var queue = brrr.Backends.Queue;

        await queue.PushAsync("t", "this is not bencode");
        await queue.PushAsync("t", new ScheduleMessage("root-x", "no-call-record-here").ToWire());
        await brrr.Backends.Store.SetAsync(MemKey.CallOf("corrupt"), [0x64, 0x31]);
        await queue.PushAsync("t", new ScheduleMessage("root-y", "corrupt").ToWire());
        await brrr.Client.ScheduleAsync(BrrrTask.Ref<int, int>("nope"), 1, "t");
        var boom = await Assert.ThrowsAsync<WorkflowFailedException>(() => brrr.RunAsync(Boom, 1));
        Assert.Equal("boom!", Assert.IsType<TaskFailedException>(boom.Failure.Error).InnerException!.Message);

        Assert.Equal(457, await brrr.RunAsync(Foo, 122));

        await AwaitAssertAsync(() => Assert.Equal(5, brrr.Failures.Count(f => !f.Released)), TimeSpan.FromSeconds(10));
        var failures = brrr.Failures.Where(f => !f.Released).ToArray();
        Assert.All(failures, f => Assert.Equal(DeadLetters, f.DeadLetterTopic));
        Assert.Contains(failures, f => f.Message == "this is not bencode" && f.Error is ProtocolException);
        Assert.Contains(failures, f => f.CallHash == "no-call-record-here" && f.Error is CallNotFoundException);
        Assert.Contains(failures, f => f.CallHash == "corrupt" && f.Error is ProtocolException);
        Assert.Contains(failures, f => f.TaskName == "nope" && f.Error is TaskNotFoundException);
        Assert.Contains(failures, f => f.TaskName == "boom" && f.Error is TaskFailedException && f.Attempt == 3);
        Assert.Equal(new QueueStatsView(0, 0), await StatsAsync(brrr, "t"));

        // Nothing is lost: each message that failed for good waits on the dead-letter topic, verbatim, with its error.
        var letters = await DrainAsync(queue, DeadLetters, 5);
        Assert.Equal(failures.Select(f => f.Message).Order(StringComparer.Ordinal), letters.Select(l => l.Message).Order(StringComparer.Ordinal));
        Assert.All(letters, l => Assert.Equal("t", l.Topic));
        Assert.Contains(letters, l => l.Message == "this is not bencode" && l.ErrorType == typeof(ProtocolException).FullName && l.CallHash is null);
        Assert.Contains(letters, l => l.TaskName == "nope" && l.ErrorType == typeof(TaskNotFoundException).FullName && l.Error.Contains("'nope'", StringComparison.Ordinal));
        Assert.Contains(letters, l => l.TaskName == "boom" && l.Attempts == 3 && l.Error.Contains("boom", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_sees_a_failure_for_good_on_another_worker_through_the_error_record()
    {
        // The worker that runs boom lives in another ActorSystem: none of its CallFailed events reach this one.
        using var other = global::Akka.Actor.ActorSystem.Create("other-worker", Sys.Settings.Config);
        var backends = BrrrBackends.InMemory();
        await using var runner = new LocalBrrr(other, new Dictionary<string, TaskSet> { ["t"] = new TaskSet(Boom) }, backends);
        await using var brrr = new LocalBrrr(Sys, new Dictionary<string, TaskSet> { ["elsewhere"] = new TaskSet(Bar) }, backends);

        var failed = await Assert.ThrowsAsync<CallFailedException>(() => brrr.RunAsync(Boom, 8, TimeSpan.FromSeconds(20), topic: "t"));

        Assert.Equal("boom", failed.Error.TaskName);
        Assert.Contains("boom!", failed.Error.Message, StringComparison.Ordinal);
        Assert.Empty(brrr.Failures);
        Assert.Equal(3, runner.Executions["boom"]);
    }

    [Fact]
    public async Task A_task_that_throws_runs_task_attempts_times_then_its_message_is_dead_lettered()
    {
        await using var brrr = new LocalBrrr(Sys, "t", Boom);

        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => brrr.RunAsync(Boom, 7));

        Assert.Equal(3, failed.Failure.Attempt);
        Assert.Equal(3, brrr.Executions["boom"]);
        Assert.Equal([true, true, false], brrr.Failures.Select(f => f.Released));
        Assert.Equal([1, 2, 3], brrr.Failures.Select(f => f.Attempt));
        var letter = Assert.Single(await DrainAsync(brrr.Backends.Queue, DeadLetters, 1));
        Assert.Equal(failed.Failure.Message, letter.Message);
        Assert.Equal(typeof(TaskFailedException).FullName, letter.ErrorType);
        Assert.Equal(failed.Failure.CallHash, letter.CallHash);
        Assert.Equal(new QueueStatsView(0, 0), await StatsAsync(brrr, "t"));
    }

    [Fact]
    public async Task A_task_returning_a_value_over_the_limit_fails_once_and_is_dead_lettered_naming_the_limit_and_the_size()
    {
        var big = BrrrTask.Create<int, string>("big", (_, n) => Task.FromResult(new string('v', n)));
        await using var brrr = new LocalBrrr(Sys, "t", big);

        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => brrr.RunAsync(big, 300_000));

        var error = Assert.IsType<SizeLimitException>(failed.Failure.Error);
        Assert.Equal(("brrr.max-value-bytes", 300_002L, 256L * 1024), (error.LimitName, error.Size, error.Limit));
        Assert.False(failed.Failure.Released);
        Assert.Equal(1, brrr.Executions["big"]);
        var letter = Assert.Single(await DrainAsync(brrr.Backends.Queue, DeadLetters, 1));
        Assert.Equal(typeof(SizeLimitException).FullName, letter.ErrorType);
        Assert.Contains("is 300002 bytes, over the limit of 262144 bytes (brrr.max-value-bytes)", letter.Error, StringComparison.Ordinal);
        Assert.Equal(new QueueStatsView(0, 0), await StatsAsync(brrr, "t"));
    }

    [Fact]
    public async Task A_task_that_throws_once_completes_on_its_next_run()
    {
        var runs = 0;
        var flaky = BrrrTask.Create<int, int>("flaky", (_, a) =>
            Interlocked.Increment(ref runs) == 1 ? throw new TimeoutException("dependency slow") : Task.FromResult(a * 2));
        await using var brrr = new LocalBrrr(Sys, "t", flaky);

        Assert.Equal(42, await brrr.RunAsync(flaky, 21));

        var failure = Assert.Single(brrr.Failures);
        Assert.True(failure.Released);
        Assert.Null(failure.DeadLetterTopic);
        Assert.Equal(2, runs);
        Assert.Equal(0, (await brrr.Backends.Queue.GetStatsAsync(DeadLetters)).Waiting);
    }

    private static async Task<IReadOnlyList<DeadLetter>> DrainAsync(IQueue queue, string topic, int expected)
    {
        await using var consumer = queue.CreateConsumer(topic);
        var letters = new List<DeadLetter>();
        while (letters.Count < expected && await consumer.ReceiveAsync(TimeSpan.FromSeconds(5)) is { } delivery)
        {
            letters.Add(DeadLetter.Parse(delivery.Message));
            await consumer.AckAsync(delivery);
        }

        Assert.Null(await consumer.ReceiveAsync(TimeSpan.FromMilliseconds(50)));
        return letters;
    }

    private static async Task<QueueStatsView> StatsAsync(LocalBrrr brrr, string topic)
    {
        var stats = await brrr.Backends.Queue.GetStatsAsync(topic);
        return new QueueStatsView(stats.Waiting, stats.InFlight);
    }

    private sealed record QueueStatsView(long Waiting, long InFlight);
}

public sealed class DeadLettersOffSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    public DeadLettersOffSpecs() : base(ConfigurationFactory.ParseString("""
        akka.loglevel = OFF
        brrr.dead-letter-suffix = ""
        """))
    {
    }

    [Fact]
    public async Task With_dead_letters_off_a_message_that_fails_for_good_is_dropped_after_logging()
    {
        await using var brrr = new LocalBrrr(Sys, "t", BrrrTask.Create<int, int>("ok", (_, a) => Task.FromResult(a)));

        await brrr.Backends.Queue.PushAsync("t", "garbage");

        await AwaitAssertAsync(() => Assert.Single(brrr.Failures), TimeSpan.FromSeconds(10));
        var failure = brrr.Failures.Single();
        Assert.False(failure.Released);
        Assert.Null(failure.DeadLetterTopic);
        Assert.Equal(1, brrr.Worker.Statistics.Failed);
        Assert.Equal(0, (await brrr.Backends.Queue.GetStatsAsync("t:dead-letters")).Waiting);
        Assert.Equal(0, (await brrr.Backends.Queue.GetStatsAsync("t")).InFlight);
    }
}
