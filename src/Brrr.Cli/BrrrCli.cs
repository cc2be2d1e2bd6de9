using System.CommandLine;
using System.CommandLine.Help;
using Akka.Configuration;
using Brrr.Redis;

namespace Brrr.Cli;

/// <summary>
/// <c>brrr</c>, the command-line tool of a brrr fleet: topics, the workflow inspector, dead letters, and a call's status, wait, read,
/// schedule, retry and cancel, against Redis (and DynamoDB). Every subcommand has <c>--help</c>, prints for people
/// by default and JSON with <c>--json</c>, and exits with one of <see cref="ExitCodes"/>.
/// </summary>
public static partial class BrrrCli
{
    private static readonly Option<string?> RedisOption = new("--redis") { Description = $"Redis URL, redis[s]://[[user]:password@]host:port[/db] (default: ${ConnectionSettings.RedisUrlVariable})", Recursive = true };
    private static readonly Option<string?> LayoutOption = new("--layout") { Description = $"Redis key layout of the fleet: current or legacy (default: ${ConnectionSettings.LayoutVariable}, else brrr.redis.layout)", Recursive = true };
    private static readonly Option<string?> ConfigOption = new("--config") { Description = "HOCON file whose brrr section (brrr.redis, brrr.dynamodb, brrr.dead-letter-suffix, brrr.spawn-limit) is read over the defaults; options and environment variables win over it", Recursive = true };
    private static readonly Option<bool> JsonOption = new("--json") { Description = "Print one JSON document for scripts instead of lines for people", Recursive = true };

    /// <summary>Runs <c>brrr</c> with <paramref name="args"/>; returns the exit code. Nothing printed shows a password.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var secrets = Redaction.SecretsOf(Environment.GetEnvironmentVariable(ConnectionSettings.RedisUrlVariable))
            .Concat(SecretsOfOption(args)).ToList();
        var output = new RedactingWriter(stdout ?? Console.Out, secrets);
        var error = new RedactingWriter(stderr ?? Console.Error, secrets);
        try
        {
            var parsed = CreateRoot().Parse(args);
            if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
            {
                foreach (var e in parsed.Errors)
                {
                    await error.WriteLineAsync($"brrr: {e.Message}");
                }

                await error.WriteLineAsync("brrr: see `brrr --help`");
                return ExitCodes.Usage;
            }

            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        finally
        {
            await output.FlushAsync();
            await error.FlushAsync();
        }
    }

    /// <summary>The command tree.</summary>
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("brrr: see and manage a brrr fleet (topics, workflows, dead letters) on Redis and DynamoDB.\n" + ExitCodes.Help)
        {
            RedisOption, LayoutOption, ConfigOption, JsonOption,
            TopicsCommand(), InspectCommand(), StatusCommand(), WaitCommand(), ReadCommand(), ScheduleCommand(), SchedulesCommand(), RetryCommand(), CancelCommand(), DeadLettersCommand(), ResetCommand(), DashboardCommand(),
        };
        return root;
    }

    /// <summary>A subcommand whose description ends with the exit codes.</summary>
    private static Command Sub(string name, string description) => new(name, description + "\n" + ExitCodes.Help);

    /// <summary>Sets <paramref name="body"/> as the action of <paramref name="command"/>, connected to the fleet, with errors mapped to exit codes.</summary>
    private static Command Connected(this Command command, Func<Invocation, Task<int>> body)
    {
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var output = new Output(parsed.GetValue(JsonOption), parsed.InvocationConfiguration.Output, parsed.InvocationConfiguration.Error);
            try
            {
                var settings = ConnectionSettings.Resolve(parsed.GetValue(RedisOption), parsed.GetValue(LayoutOption), parsed.GetValue(ConfigOption), Environment.GetEnvironmentVariable);
                await using var fleet = await Fleet.ConnectAsync(settings);
                return await body(new Invocation(parsed, fleet, output, cancellationToken));
            }
            catch (Exception e) when (e is UsageException or ConfigurationException or ArgumentException)
            {
                output.Fail(e.Message);
                return ExitCodes.Usage;
            }
            catch (Exception e) when (e is BackendUnavailableException or StackExchange.Redis.RedisException or Amazon.Runtime.AmazonServiceException or System.Net.Http.HttpRequestException or TimeoutException)
            {
                output.Fail(Redaction.Redact(e.Message));
                return ExitCodes.Backend;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                output.Fail($"unexpected {e.GetType().Name}: {Redaction.Redact(e.Message)}");
                return ExitCodes.Unexpected;
            }
        });
        return command;
    }

    private static IEnumerable<string> SecretsOfOption(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var value = args[i] == "--redis" && i + 1 < args.Length ? args[i + 1]
                : args[i].StartsWith("--redis=", StringComparison.Ordinal) ? args[i]["--redis=".Length..]
                : null;
            if (value is not null)
            {
                foreach (var secret in Redaction.SecretsOf(value))
                {
                    yield return secret;
                }
            }
        }
    }

    /// <summary>One run of a connected subcommand.</summary>
    /// <param name="Parsed">The parsed command line.</param>
    /// <param name="Fleet">The fleet's backends.</param>
    /// <param name="Output">Where to print.</param>
    /// <param name="CancellationToken">Cancelled on Ctrl+C.</param>
    private sealed record Invocation(ParseResult Parsed, Fleet Fleet, Output Output, CancellationToken CancellationToken)
    {
        public T Get<T>(Option<T> option) => Parsed.GetValue(option)!;

        public T Get<T>(Argument<T> argument) => Parsed.GetValue(argument)!;
    }
}
