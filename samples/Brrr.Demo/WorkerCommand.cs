using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Tasks;

namespace Brrr.Demo;

/// <summary><c>worker</c>: serves the demo tasks on topics, on the environment's Redis (and DynamoDB) or SQS and DynamoDB backends.</summary>
public static class WorkerCommand
{
    /// <summary>Serves until stopped (Ctrl+C, SIGTERM): then stops gracefully, giving unfinished messages back.</summary>
    public static async Task<int> RunAsync(ILookup<string, string> options)
    {
        var config = Cli.LoadConfig(options);
        if (options["parallelism"].LastOrDefault() is { } parallelism)
        {
            if (!int.TryParse(parallelism, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            {
                throw new ArgumentException($"--parallelism must be a whole number >= 1, got '{parallelism}'");
            }

            config = ConfigurationFactory.ParseString($"brrr.topic-defaults.parallelism = {n}").WithFallback(config);
        }

        var topics = Cli.WorkerTopics(options, config);
        await using var environment = await DemoEnvironment.ConnectAsync(config);
        using var system = ActorSystem.Create("brrr-demo-worker", config);
        var tasks = DemoTasks.All(Cli.OpsTopic());
        var worker = BrrrExtension.Get(system).StartWorker(
            environment.Backends, topics.ToDictionary(t => t, _ => tasks, StringComparer.Ordinal));
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            _ = CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
        };
        Console.WriteLine($"brrr-demo worker: serving [{string.Join(", ", topics)}] with tasks [{string.Join(", ", tasks.Names)}], "
            + $"parallelism {worker.Settings.ForTopic(topics[0]).Parallelism}, {environment.Summary}");
        await system.WhenTerminated;
        return 0;
    }
}
