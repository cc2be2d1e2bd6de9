using Brrr.Akka;
using Brrr.Cli;
using Brrr.Protocol;

namespace Brrr.Demo;

/// <summary>
/// The client commands <c>schedule</c>, <c>read</c>, <c>retry</c>, <c>cancel</c>, <c>monitor</c> and <c>reset</c>: the
/// demo checks its tasks' arguments (<see cref="DemoArguments"/>), then runs the <c>brrr</c> tool's command
/// (<see cref="BrrrCli"/>) on the demo's environment, so they print and exit as the tool does (<see cref="ExitCodes"/>).
/// </summary>
public static class ClientCommands
{
    /// <summary><c>brrr schedule</c> of <paramref name="task"/>(<paramref name="pairs"/>) on <paramref name="topic"/>, after the demo's argument checks (with the spawn limit).</summary>
    public static Task<int> ScheduleAsync(string topic, string task, IReadOnlyList<KeyValuePair<string, string>> pairs) =>
        WithArgumentsAsync(task, pairs, checkSpawnLimit: true, args => ["schedule", task, .. args, "--topic", topic]);

    /// <summary><c>brrr retry</c>: runs a failed call again under a new root, its error records gone, stored values reused.</summary>
    public static Task<int> RetryAsync(string topic, string task, IReadOnlyList<KeyValuePair<string, string>> pairs) =>
        WithArgumentsAsync(task, pairs, checkSpawnLimit: true, args => ["retry", task, .. args, "--topic", topic, "--yes"]);

    /// <summary><c>brrr read</c>: the stored value (exit 0), a failure with its chain (3), or nothing yet (4).</summary>
    public static Task<int> ReadAsync(string task, IReadOnlyList<KeyValuePair<string, string>> pairs) =>
        WithArgumentsAsync(task, pairs, checkSpawnLimit: false, args => ["read", task, .. args]);

    /// <summary><c>brrr cancel</c> of the root <paramref name="rootId"/>, as <c>schedule</c> printed it.</summary>
    public static Task<int> CancelAsync(string rootId)
    {
        Identifiers.RootId(rootId, "cancel");
        return ToolAsync(Cli.Options([]), ["cancel", rootId, "--yes"]);
    }

    /// <summary><c>brrr topics</c> of the demo's topics (as for worker, and the ops topic): once with <c>--once</c>, else every second.</summary>
    public static Task<int> MonitorAsync(ILookup<string, string> options)
    {
        var topics = Cli.WorkerTopics(options, Cli.LoadConfig(options)).Append(Cli.OpsTopic()).Distinct(StringComparer.Ordinal);
        return ToolAsync(options, ["topics", .. topics.SelectMany(t => new[] { "--topic", t }), .. options["once"].Any() ? Array.Empty<string>() : ["--watch"]]);
    }

    /// <summary><c>brrr reset</c>: drops the DynamoDB table and deletes brrr's keys in Redis, the demo topics' too; needs <c>--yes</c>.</summary>
    public static Task<int> ResetAsync(ILookup<string, string> options)
    {
        var topics = new[] { DemoTasks.Topic, Cli.OpsTopic() }.Concat(Cli.WorkerTopics(options, Cli.LoadConfig(options))).Distinct(StringComparer.Ordinal);
        return ToolAsync(options, ["reset", .. topics.SelectMany(t => new[] { "--topic", t }), .. options["yes"].Any() ? ["--yes"] : Array.Empty<string>()]);
    }

    private static Task<int> WithArgumentsAsync(string task, IReadOnlyList<KeyValuePair<string, string>> pairs, bool checkSpawnLimit, Func<IEnumerable<string>, string[]> command)
    {
        var spawnLimit = checkSpawnLimit ? BrrrSettings.Create(Cli.LoadConfig(Cli.Options([]))).SpawnLimit : (long?)null;
        if (!DemoArguments.TryParse(task, pairs, spawnLimit, out var args, out var problem))
        {
            return Task.FromResult(Cli.Fail(problem.Message));
        }

        // Each argument exactly as checked: key:=json keeps the codec's value (a string stays a string).
        return ToolAsync(Cli.Options([]), command(args.Select(p => $"{p.Key}:={p.Value?.ToJsonString() ?? "null"}")));
    }

    /// <summary>Runs the tool with <paramref name="args"/> on BRRR_DEMO_REDIS_URL (and BRRR_DEMO_REDIS_LAYOUT, <c>--config</c>).</summary>
    /// <exception cref="ArgumentException">BRRR_DEMO_QUEUE chooses SQS, which the tool does not speak; the message says what to use instead.</exception>
    private static Task<int> ToolAsync(ILookup<string, string> options, string[] args)
    {
        if (DemoEnvironment.SqsFromEnvironment())
        {
            throw new ArgumentException(
                $"schedule, read, retry, cancel, monitor and reset run the brrr tool, which needs Redis: not available with {DemoEnvironment.QueueVariable}=sqs (SQS + DynamoDB mode); "
                + $"schedule and read over the web's HTTP API (POST and GET /{{task}}?k=v), or unset {DemoEnvironment.QueueVariable} and set BRRR_DEMO_REDIS_URL");
        }

        var url = DemoEnvironment.RedisUrlFromEnvironment();
        List<string> tool = [.. args, "--redis", url];
        if (Environment.GetEnvironmentVariable("BRRR_DEMO_REDIS_LAYOUT") is { Length: > 0 } layout)
        {
            tool.AddRange(["--layout", layout]);
        }

        if (options["config"].LastOrDefault() is { } config)
        {
            tool.AddRange(["--config", config]);
        }

        return BrrrCli.RunAsync([.. tool]);
    }
}
