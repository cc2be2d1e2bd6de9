using System.Text.Json.Nodes;
using Brrr.Akka;
using Brrr.Inspection;
using Brrr.Protocol;
using Brrr.Redis;
using Brrr.Tasks;
using StackExchange.Redis;

namespace Brrr.Demo;

/// <summary>The client commands: <c>schedule</c>, <c>read</c>, <c>cancel</c>, <c>monitor</c>, <c>reset</c>.</summary>
public static class ClientCommands
{
    /// <summary>
    /// Schedules <paramref name="task"/>(<paramref name="pairs"/>) on <paramref name="topic"/> as a new root; bad arguments
    /// (see <see cref="DemoArguments"/>, with the reference spawn limit) fail before any backend is touched. Prints the
    /// call hash and the root id (what <c>cancel</c> takes).
    /// </summary>
    public static async Task<int> ScheduleAsync(string topic, string task, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        var config = Cli.LoadConfig(Cli.Options([]));
        var spawnLimit = BrrrSettings.Create(config).SpawnLimit;
        if (!DemoArguments.TryParse(task, pairs, spawnLimit, out var args, out var problem))
        {
            return Cli.Fail(problem.Message);
        }

        await using var environment = await DemoEnvironment.ConnectAsync(config);
        var client = environment.Backends.CreateClient(spawnLimit);
        var call = client.Codec.EncodeCall(task, args);
        var rootId = BrrrClient.NewRootId();
        await client.ScheduleAsync(call, topic, rootId);
        Console.WriteLine($"scheduled {task} on {topic} (call {call.CallHash}, root {rootId})");
        return 0;
    }

    /// <summary>
    /// Runs a failed call again (<see cref="BrrrClient.RetryAsync"/>): deletes the error records along its chain and
    /// schedules it on <paramref name="topic"/> under a new root; says so and exits 0 when it has a value already.
    /// </summary>
    public static async Task<int> RetryAsync(string topic, string task, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        var config = Cli.LoadConfig(Cli.Options([]));
        var spawnLimit = BrrrSettings.Create(config).SpawnLimit;
        if (!DemoArguments.TryParse(task, pairs, spawnLimit, out var args, out var problem))
        {
            return Cli.Fail(problem.Message);
        }

        await using var environment = await DemoEnvironment.ConnectAsync(config);
        var rootId = await environment.Backends.CreateClient(spawnLimit).RetryAsync(BrrrTask.Ref<JsonObject, JsonNode?>(task), args, topic);
        Console.WriteLine(rootId is null
            ? $"{task} has a value already: nothing to retry"
            : $"retried {task} on {topic} (root {rootId}): its error records are gone, stored values are reused");
        return 0;
    }

    /// <summary>
    /// Cancels the workflow root <paramref name="rootId"/> (as <c>schedule</c> printed it): workers acknowledge its jobs
    /// without running them once they see the mark (within <c>brrr.cancel-check-interval</c>); exit 2 for a bad root id.
    /// </summary>
    public static async Task<int> CancelAsync(string rootId)
    {
        Identifiers.RootId(rootId, "cancel");
        var config = Cli.LoadConfig(Cli.Options([]));
        var interval = BrrrSettings.Create(config).CancelCheckInterval;
        await using var environment = await DemoEnvironment.ConnectAsync(config);
        var client = environment.Backends.CreateClient();
        await client.CancelAsync(rootId);
        Console.WriteLine($"cancelled root {rootId}: workers skip its jobs within {interval.TotalMilliseconds:0} ms (brrr.cancel-check-interval)");
        return 0;
    }

    /// <summary>
    /// Prints the stored result of <paramref name="task"/>(<paramref name="pairs"/>); exit 1 when there is none, 2 for
    /// bad arguments, 3 (<see cref="FailureText.FailedExitCode"/>) with <c>failed: task: message</c> and the chain when it failed for good.
    /// </summary>
    public static async Task<int> ReadAsync(string task, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        if (!DemoArguments.TryParse(task, pairs, spawnLimit: null, out var args, out var problem))
        {
            return Cli.Fail(problem.Message);
        }

        await using var environment = await DemoEnvironment.ConnectAsync(Cli.LoadConfig(Cli.Options([])));
        var client = environment.Backends.CreateClient();
        var status = await client.GetStatusAsync(BrrrTask.Ref<JsonObject, JsonNode?>(task), args);
        if (status.Error is { } error)
        {
            Console.WriteLine(FailureText.Summary(error));
            foreach (var line in await FailureText.ChainLinesAsync(client, error))
            {
                Console.WriteLine(line);
            }

            return FailureText.FailedExitCode;
        }

        if (status.State != CallState.Completed)
        {
            Console.Error.WriteLine($"brrr-demo: no result for {task} with these arguments (not scheduled, or not done yet)");
            return 1;
        }

        Console.WriteLine(status.Value?.ToJsonString() ?? "null");
        return 0;
    }

    public static async Task<int> MonitorAsync(ILookup<string, string> options)
    {
        var config = Cli.LoadConfig(options);
        var topics = Cli.WorkerTopics(options, config).Append(Cli.OpsTopic()).Distinct(StringComparer.Ordinal).ToArray();
        var deadLetterSuffix = BrrrSettings.Create(config).DeadLetterSuffix;
        await using var environment = await DemoEnvironment.ConnectAsync(config);
        foreach (var topic in topics)
        {
            if (await environment.Redis.Queue.FindLayoutMismatchAsync(topic) is { } mismatch)
            {
                Console.Error.WriteLine($"brrr-demo: warning: {mismatch}");
            }
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        do
        {
            foreach (var topic in topics)
            {
                var stats = await environment.Backends.Queue.GetStatsAsync(topic);
                var deadLetters = deadLetterSuffix.Length == 0
                    ? ""
                    : $", dead letters {(await environment.Backends.Queue.GetStatsAsync(DeadLetter.TopicOf(topic, deadLetterSuffix))).Waiting}";
                Console.WriteLine($"{DateTime.Now:HH:mm:ss} {topic}: waiting {stats.Waiting}, in flight {stats.InFlight}{deadLetters}");
            }

            if (options["once"].Any())
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        while (!stop.IsCancellationRequested);
        return 0;
    }

    /// <summary>
    /// Drops the DynamoDB table and deletes brrr's keys in Redis: the store, the spawn counters and the demo topics
    /// (with their dead letters and bookkeeping) of both Redis layouts; needs --yes.
    /// </summary>
    public static async Task<int> ResetAsync(ILookup<string, string> options)
    {
        if (!options["yes"].Any())
        {
            return Cli.Fail("reset deletes every brrr record and queued job of this Redis (and the DynamoDB table): pass --yes to confirm");
        }

        var config = Cli.LoadConfig(options);
        var deadLetterSuffix = BrrrSettings.Create(config).DeadLetterSuffix;
        var topics = new[] { DemoTasks.Topic, Cli.OpsTopic() }.Concat(Cli.WorkerTopics(options, config)).Distinct(StringComparer.Ordinal).ToArray();
        var topicKeys = deadLetterSuffix.Length == 0 ? topics : topics.Concat(topics.Select(t => DeadLetter.TopicOf(t, deadLetterSuffix))).ToArray();
        await using var environment = await DemoEnvironment.ConnectAsync(config);
        if (environment.Dynamo is { } dynamo)
        {
            await dynamo.DeleteTableAsync();
            Console.WriteLine($"dropped DynamoDB table {dynamo.TableName}");
        }

        var prefix = environment.Redis.Settings.KeyPrefix;
        var deleted = 0L;
        var database = environment.Redis.Multiplexer.GetDatabase();
        foreach (var server in environment.Redis.Multiplexer.GetServers())
        {
            var layouts = Enum.GetValues<RedisLayout>();
            var patterns = new[] { $"{prefix}*", $"{{*}}:{prefix}*" }
                .Concat(layouts.Select(layout => layout.SpawnCounterPattern()))
                .Concat(layouts.SelectMany(layout => topicKeys.Select(topic => layout.TopicList(topic))));
            foreach (var pattern in patterns)
            {
                var keys = new List<RedisKey>();
                await foreach (var key in server.KeysAsync(pattern: pattern))
                {
                    keys.Add(key);
                }

                if (keys.Count > 0)
                {
                    deleted += await database.KeyDeleteAsync(keys.ToArray());
                }
            }
        }

        Console.WriteLine($"deleted {deleted} Redis key(s)");
        return 0;
    }
}
