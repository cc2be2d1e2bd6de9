using Akka.Configuration;
using Brrr.Redis;

namespace Brrr.Demo;

/// <summary>The demo's command line: one line per error, non-zero exit, a stack trace only with --verbose.</summary>
public static class Cli
{
    private const int UnexpectedErrorExitCode = 1;

    private static readonly Config ReferenceConfig = ConfigurationFactory.FromResource("Brrr.Demo.reference.conf", typeof(Cli).Assembly);

    /// <summary>
    /// Runs the command in <paramref name="args"/>; returns the exit code. Everything printed passes through
    /// <see cref="Redaction"/>, so no password of BRRR_DEMO_REDIS_URL (nor the AWS secret key or session token of the
    /// environment) reaches the terminal or a log.
    /// </summary>
    public static async Task<int> MainAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string[] secrets =
        [
            .. Redaction.SecretsOf(Environment.GetEnvironmentVariable("BRRR_DEMO_REDIS_URL")),
            .. new[] { "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN" }.Select(Environment.GetEnvironmentVariable).OfType<string>(),
        ];
        Console.SetOut(new RedactingWriter(Console.Out, secrets));
        Console.SetError(new RedactingWriter(Console.Error, secrets));
        try
        {
            return await DispatchAsync(args);
        }
        finally
        {
            Console.Out.Flush();
            Console.Error.Flush();
        }
    }

    /// <summary>Splits <c>k=v</c> words into (key, value) pairs, in order; values stay strings (see <see cref="DemoArguments"/>).</summary>
    /// <exception cref="ArgumentException">A word has no '=' or nothing before it.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseArguments(IEnumerable<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var word in words)
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"bad argument '{word}': expected k=v");
            }

            pairs.Add(new(word[..equals], word[(equals + 1)..]));
        }

        return pairs;
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

    private static async Task<int> DispatchAsync(string[] args)
    {
        var verbose = args.Contains("--verbose");
        var words = args.Where(a => a != "--verbose").ToArray();
        try
        {
            return words switch
            {
                [] => UsageError(),
                ["help"] or ["--help"] or ["-h"] => Help(CliHelp.Usage),
                ["help", var command] when CliHelp.IsCommand(command) => Help(CliHelp.ForCommand(command)),
                ["help", var other] => Fail($"no command '{other}' (see `brrr-demo help`)"),
                [var command, .. var rest] when CliHelp.IsCommand(command) && rest.Any(w => w is "--help" or "-h") => Help(CliHelp.ForCommand(command)),
                ["run", var task, .. var rest] => await RunCommand.RunAsync(task, ParseArguments(rest), verbose),
                ["web", .. var rest] => await WebCommand.RunAsync(Options(rest)),
                ["worker", .. var rest] => await WorkerCommand.RunAsync(Options(rest)),
                ["schedule", var topic, var task, .. var rest] => await ClientCommands.ScheduleAsync(topic, task, ParseArguments(rest)),
                ["read", var task, .. var rest] => await ClientCommands.ReadAsync(task, ParseArguments(rest)),
                ["cancel", var rootId] => await ClientCommands.CancelAsync(rootId),
                ["retry", var topic, var task, .. var rest] => await ClientCommands.RetryAsync(topic, task, ParseArguments(rest)),
                ["monitor", .. var rest] => await ClientCommands.MonitorAsync(Options(rest)),
                ["reset", .. var rest] => await ClientCommands.ResetAsync(Options(rest)),
                ["run"] => Fail("run needs a task name, e.g. `run fib n=30`"),
                ["schedule", ..] => Fail("schedule needs a topic and a task, e.g. `schedule brrr-cs-demo fib n=10`"),
                ["read"] => Fail("read needs a task, e.g. `read fib n=10`"),
                ["retry", ..] => Fail("retry needs a topic and a task, e.g. `retry brrr-cs-demo boom message=kaput depth=3`"),
                ["cancel", ..] => Fail("cancel needs one root id, as schedule prints it, e.g. `cancel 0123456789abcdef0123456789abcdef`"),
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

    /// <summary>No command at all: the usage on standard error, and the usage-error exit code.</summary>
    private static int UsageError()
    {
        Console.Error.WriteLine(CliHelp.Usage);
        return 2;
    }

    private static int Help(string text)
    {
        Console.WriteLine(text);
        return 0;
    }
}
