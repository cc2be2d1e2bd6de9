using Akka.Actor;
using Akka.Hosting;
using Brrr.Akka.Hosting;
using Brrr.Contracts;
using Brrr.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Brrr.Akka.Tests;

/// <summary>A worker hosted with Akka.Hosting logs through the host's <see cref="ILoggerFactory"/>, with stable event ids and named fields.</summary>
public sealed class HostedLogSpecs
{
    private const string Topic = "logged";

    private static readonly TaskOptions Quick = new() { BackoffMin = TimeSpan.FromMilliseconds(10), BackoffMax = TimeSpan.FromMilliseconds(10) };

    [Fact]
    public async Task A_call_that_fails_for_good_logs_an_error_with_its_task_call_hash_root_topic_and_attempt()
    {
        var boom = BrrrTask.Create<int, int>("boom", (_, _) => throw new InvalidOperationException("boom for good"), Quick with { Attempts = 1 });
        var logs = new CapturingLoggerProvider();
        var (call, rootId, entry) = await RunUntilLoggedAsync(boom, logs, 1010);

        Assert.Equal((LogLevel.Error, "CallFailedForGood", BrrrLog.CallsCategory), (entry.Level, entry.EventId.Name, entry.Category));
        AssertCallFields(entry, call, rootId, attempt: 1);
        Assert.Equal(("dead-lettered", Topic + ":dead-letters"), (entry.Fields["Outcome"], entry.Fields["DeadLetterTopic"]));
        Assert.Equal("boom for good", Assert.IsType<InvalidOperationException>(Assert.IsType<TaskFailedException>(entry.Exception).InnerException).Message);
    }

    [Fact]
    public async Task A_call_that_fails_for_now_logs_a_warning_with_the_same_fields_and_its_message_is_released()
    {
        var runs = 0;
        var flaky = BrrrTask.Create<int, int>("flaky", (_, a) => Interlocked.Increment(ref runs) == 1 ? throw new IOException("down for now") : Task.FromResult(a), Quick with { Attempts = 2 });
        var logs = new CapturingLoggerProvider();
        var (call, rootId, entry) = await RunUntilLoggedAsync(flaky, logs, 1011);

        Assert.Equal((LogLevel.Warning, "CallFailedForNow", BrrrLog.CallsCategory), (entry.Level, entry.EventId.Name, entry.Category));
        AssertCallFields(entry, call, rootId, attempt: 1);
        Assert.Equal(("released", nameof(TaskFailedException)), (entry.Fields["Outcome"], entry.Fields["ErrorType"]));
        Assert.EndsWith($"TaskFailedException: Task 'flaky' failed on call {call.CallHash}: down for now", entry.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, e => e.EventId.Id == 1010);
    }

    private static void AssertCallFields(CapturedLog entry, Call call, string rootId, int attempt)
    {
        Assert.Equal(call.TaskName, entry.Fields["Task"]);
        Assert.Equal(call.CallHash, entry.Fields["CallHash"]);
        Assert.Equal(rootId, entry.Fields["RootId"]);
        Assert.Equal(Topic, entry.Fields["Topic"]);
        Assert.Equal(attempt, entry.Fields["Attempt"]);
    }

    /// <summary>Hosts a worker on the in-memory default serving <paramref name="task"/>, schedules it and waits for an entry with <paramref name="eventId"/>.</summary>
    private static async Task<(Call Call, string RootId, CapturedLog Entry)> RunUntilLoggedAsync(BrrrTask<int, int> task, CapturingLoggerProvider logs, int eventId)
    {
        using var host = new HostBuilder()
            .ConfigureLogging(logging => logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug))
            .ConfigureServices(services => services.AddAkka("logs", builder => builder
                .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
                .WithBrrr(options => options.AddTopic(Topic, new TaskSet(task), parallelism: 2))))
            .Build();
        await host.StartAsync();
        try
        {
            var worker = await BrrrExtension.Get(host.Services.GetRequiredService<ActorSystem>()).WorkerAsync();
            var call = worker.Backends.Codec.EncodeCall(task.Name, 7);
            var rootId = BrrrClient.NewRootId();
            await worker.Client.ScheduleAsync(call, Topic, rootId);
            await Eventually.HoldsAsync(() => logs.Entries.Any(e => e.EventId.Id == eventId), $"an entry with event id {eventId} was logged");
            return (call, rootId, logs.Entries.First(e => e.EventId.Id == eventId));
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
