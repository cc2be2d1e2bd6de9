using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Configuration;

namespace Brrr.Demo;

/// <summary>The demo's command line: one line per error, non-zero exit, a stack trace only with --verbose.</summary>
public static class Cli
{
    private const string Usage = """
        usage: brrr-demo <command> [options] [--verbose]
          run <task> k=v ...             run a task to completion in this process on the embedded in-memory backends
                                         (progress every BRRR_DEMO_PROGRESS_MS milliseconds, default 1000)
          web                            HTTP API on BRRR_DEMO_LISTEN_HOST:BRRR_DEMO_LISTEN_PORT (default 127.0.0.1:8080)
          worker [--topic T]... [--parallelism N] [--config FILE]
                                         serve topics on the environment's backends: the --topic ones, else the
                                         HOCON list brrr.demo.worker-topics of FILE (default [brrr-cs-demo])
          schedule <topic> <task> k=v    schedule a call as a new workflow root
          read <task> k=v                print a stored result (exit 1 when not computed)
          monitor [--topic T]... [--once] [--config FILE]
                                         live queue depth, in-flight count and dead letters per topic (topics as for worker)
          reset --yes                    drop the DynamoDB table and flush the brrr keys of Redis
        tasks: hello greetee=NAME | fib n=N [salt=S] | lucas n=N [salt=S] | calc_and_print op=fib|lucas n=N [salt=S]
        distributed commands read BRRR_DEMO_REDIS_URL, AWS_ENDPOINT_URL/AWS_REGION, DYNAMODB_TABLE_NAME and
        BRRR_DEMO_OPS_TOPIC (the topic calc_and_print calls its op on; default brrr-cs-demo).
        """;

    private const int UnexpectedErrorExitCode = 1;

    private static readonly Config ReferenceConfig = ConfigurationFactory.FromResource("Brrr.Demo.reference.conf", typeof(Cli).Assembly);

    /// <summary>Runs the command in <paramref name="args"/>; returns the exit code.</summary>
    public static async Task<int> MainAsync(string[] args)
    {
        var verbose = args.Contains("--verbose");
        var words = args.Where(a => a != "--verbose").ToArray();
        try
        {
            return words switch
            {
                ["run", var task, .. var rest] => await RunCommand.RunAsync(task, ParseArguments(rest), verbose),
                ["web", .. var rest] => await WebCommand.RunAsync(Options(rest)),
                ["worker", .. var rest] => await WorkerCommand.RunAsync(Options(rest)),
                ["schedule", var topic, var task, .. var rest] => await ClientCommands.ScheduleAsync(topic, task, ParseArguments(rest)),
                ["read", var task, .. var rest] => await ClientCommands.ReadAsync(task, ParseArguments(rest)),
                ["monitor", .. var rest] => await ClientCommands.MonitorAsync(Options(rest)),
                ["reset", .. var rest] => await ClientCommands.ResetAsync(Options(rest)),
                ["run"] => Fail("run needs a task name, e.g. `run fib n=30`"),
                ["schedule", ..] => Fail("schedule needs a topic and a task, e.g. `schedule brrr-cs-demo fib n=10`"),
                ["read"] => Fail("read needs a task, e.g. `read fib n=10`"),
                [] or ["help"] or ["--help"] or ["-h"] => Help(),
                [var other, ..] => Fail($"unknown command '{other}' (see `brrr-demo help`)"),
            };
        }
        catch (Exception e)
        {
            if (verbose)
            {
                Console.Error.WriteLine(e);
            }

            return e is ArgumentException or BrrrException or TimeoutException or ConfigurationException
                or StackExchange.Redis.RedisException or Amazon.Runtime.AmazonServiceException or System.Net.Http.HttpRequestException
                ? Fail(e.Message)
                : Fail($"unexpected {e.GetType().Name}: {e.Message}" + (verbose ? "" : " (rerun with --verbose for the stack trace)"), UnexpectedErrorExitCode);
        }
    }

    /// <summary>Parses <c>k=v</c> words: a value that is valid JSON (a number, true, a quoted string) is taken as such, anything else as a string.</summary>
    public static JsonObject ParseArguments(IEnumerable<string> words)
    {
        var args = new JsonObject();
        foreach (var word in words)
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"bad argument '{word}': expected k=v");
            }

            var text = word[(equals + 1)..];
            JsonNode? value;
            try
            {
                value = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                value = JsonValue.Create(text);
            }

            args[word[..equals]] = value;
        }

        return args;
    }

    /// <summary>Parses <c>--name value</c> and <c>--flag</c> options; repeated names keep every value.</summary>
    public static ILookup<string, string> Options(IReadOnlyList<string> words)
    {
        var pairs = new List<(string, string)>();
        for (var i = 0; i < words.Count; i++)
        {
            if (!words[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected '{words[i]}': options look like --name value");
            }

            var name = words[i][2..];
            if (name is "once" or "yes")
            {
                pairs.Add((name, "true"));
            }
            else if (i + 1 < words.Count)
            {
                pairs.Add((name, words[++i]));
            }
            else
            {
                throw new ArgumentException($"option --{name} needs a value");
            }
        }

        return pairs.ToLookup(p => p.Item1, p => p.Item2, StringComparer.Ordinal);
    }

    /// <summary>The HOCON of <c>--config FILE</c> (if given) over the demo's <c>reference.conf</c>.</summary>
    /// <exception cref="ArgumentException">The file cannot be read.</exception>
    public static Config LoadConfig(ILookup<string, string> options)
    {
        var file = options["config"].LastOrDefault();
        var config = file is null ? ConfigurationFactory.Empty : ConfigurationFactory.ParseString(ReadConfigFile(file));
        return config.WithFallback(ReferenceConfig);
    }

    /// <summary>
    /// The topics a worker serves (and monitor watches): every <c>--topic</c> of the command line, else the
    /// <c>brrr.demo.worker-topics</c> of <paramref name="config"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Neither names a topic.</exception>
    public static IReadOnlyList<string> WorkerTopics(ILookup<string, string> options, Config config)
    {
        var topics = (options["topic"].Any() ? options["topic"] : config.GetStringList("brrr.demo.worker-topics") ?? [])
            .Distinct(StringComparer.Ordinal).ToArray();
        return topics.Length > 0 ? topics : throw new ArgumentException("no topic to serve: pass --topic T or list topics in brrr.demo.worker-topics");
    }

    /// <summary>The topic calc_and_print calls its op on.</summary>
    public static string OpsTopic() => Environment.GetEnvironmentVariable("BRRR_DEMO_OPS_TOPIC") is { Length: > 0 } topic ? topic : DemoTasks.Topic;

    /// <summary>Writes one error line and returns <paramref name="exitCode"/> (by default the usage-error exit code, 2).</summary>
    public static int Fail(string message, int exitCode = 2)
    {
        Console.Error.WriteLine($"brrr-demo: {message}");
        return exitCode;
    }

    private static string ReadConfigFile(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"cannot read --config {file}: {e.Message}", e);
        }
    }

    private static int Help()
    {
        Console.WriteLine(Usage);
        return 0;
    }
}
