namespace Brrr.Demo;

/// <summary>The demo's usage: all of it, or the part of one command.</summary>
public static class CliHelp
{
    private const string Header = "usage: brrr-demo <command> [options] [--verbose]";

    private const string Tasks = """
        tasks: hello greetee=NAME | fib n=N [salt=S] | lucas n=N [salt=S] | calc_and_print op=fib|lucas n=N [salt=S]
               | boom message=TEXT depth=0..50 (calls boom depth-1; fails on purpose at depth 0)
        values are strings, as over HTTP (the same arguments give the same call); n is 0 or digits without leading zeros
        after an optional '-', within ±(2^53-1); calls that would push more jobs than brrr.spawn-limit are refused.
        """;

    private const string Environment = """
        schedule, read, retry, cancel, monitor and reset run the brrr tool's commands (src/Brrr.Cli: brrr --help) and exit
        as it does: 0 done, 2 usage, 3 failed for good, 4 not done yet, 5 a backend cannot be reached.
        distributed commands read BRRR_DEMO_REDIS_URL (redis[s]://[[user]:password@]host:port[/db]), AWS_ENDPOINT_URL/AWS_REGION,
        DYNAMODB_TABLE_NAME and BRRR_DEMO_OPS_TOPIC (the topic calc_and_print calls its op on; default brrr-cs-demo).
        BRRR_DEMO_QUEUE=sqs: web and worker without Redis, on an SQS queue (AWS_ENDPOINT_URL_SQS, else AWS_ENDPOINT_URL;
        brrr.sqs of --config) and a DynamoDB store and cache (AWS_ENDPOINT_URL_DYNAMODB, else AWS_ENDPOINT_URL), in AWS_REGION;
        the client commands need Redis.
        """;

    private static readonly (string Name, string Text, bool Tasks, bool Distributed)[] Commands =
    [
        ("run", """
              run <task> k=v ...             run a task to completion in this process on the embedded in-memory backends
                                             (progress every BRRR_DEMO_PROGRESS_MS milliseconds, default 1000)
            """, true, false),
        ("web", """
              web [--config FILE]            HTTP API on BRRR_DEMO_LISTEN_HOST:BRRR_DEMO_LISTEN_PORT (default 127.0.0.1:8080)
            """, true, true),
        ("worker", """
              worker [--topic T]... [--parallelism N] [--config FILE]
                                             serve topics on the environment's backends: the --topic ones, else the
                                             HOCON list brrr.demo.worker-topics of FILE (default [brrr-cs-demo])
            """, false, true),
        ("schedule", """
              schedule <topic> <task> k=v    schedule a call as a new workflow root (prints its call hash and root id)
            """, true, true),
        ("cancel", """
              cancel <root_id>               cancel a workflow root: workers acknowledge its jobs without running them
                                             (calls another root waits on still run for that root)
            """, false, true),
        ("retry", """
              retry <topic> <task> k=v       run a failed call again as a new root: its error records (and its failed
                                             children's) are deleted, stored values are reused (prints the new root id)
            """, true, true),
        ("read", """
              read <task> k=v                print a stored result (exit 4 when not computed, 3 when failed)
            """, true, true),
        ("monitor", """
              monitor [--topic T]... [--once] [--config FILE]
                                             live queue depth, in-flight count, consumers and dead letters per topic
                                             (topics as for worker, and every topic the queue lists)
            """, false, true),
        ("reset", """
              reset --yes [--topic T]... [--config FILE]
                                             drop the DynamoDB table and delete the brrr keys of Redis (both layouts)
            """, false, true),
    ];

    /// <summary>The whole usage.</summary>
    public static string Usage => string.Join('\n', [Header, .. Commands.Select(c => c.Text), Tasks, Environment]);

    /// <summary>Whether <paramref name="command"/> is a command with help of its own.</summary>
    public static bool IsCommand(string command) => Commands.Any(c => c.Name == command);

    /// <summary>The usage of <paramref name="command"/> (one of the commands).</summary>
    public static string ForCommand(string command)
    {
        var entry = Commands.Single(c => c.Name == command);
        var lines = new List<string> { Header.Replace("<command>", command, StringComparison.Ordinal), entry.Text };
        if (entry.Tasks)
        {
            lines.Add(Tasks);
        }

        if (entry.Distributed)
        {
            lines.Add(Environment);
        }

        return string.Join('\n', lines);
    }
}
