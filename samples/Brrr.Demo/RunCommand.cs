using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Tasks;

namespace Brrr.Demo;

/// <summary><c>run</c>: everything in one process on the embedded in-memory backends.</summary>
public static class RunCommand
{
    /// <summary>Runs <paramref name="taskName"/>(<paramref name="args"/>) to completion and prints the result and figures.</summary>
    public static async Task<int> RunAsync(string taskName, JsonObject args)
    {
        var tasks = DemoTasks.All();
        if (tasks.Find(taskName) is null)
        {
            return Cli.Fail($"unknown task '{taskName}' (known: {string.Join(", ", tasks.Names.Order(StringComparer.Ordinal))})");
        }

        if (DemoTasks.Invalid(taskName, args) is { } problem)
        {
            return Cli.Fail(problem);
        }

        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        using var system = ActorSystem.Create("brrr-demo", config);
        var store = new InMemoryStore();
        var backends = new BrrrBackends(store, new InMemoryCache(), new InMemoryQueue(), Codecs.JsonCodec.Default);
        var worker = BrrrExtension.Get(system).StartWorker(backends, DemoTasks.Topic, tasks);
        var task = BrrrTask.Ref<JsonObject, JsonNode?>(taskName, DemoTasks.Topic);
        var clock = Stopwatch.StartNew();
        await worker.Client.ScheduleAsync(task, args);
        var nextProgress = TimeSpan.FromSeconds(1);
        while (true)
        {
            var result = await worker.Client.ReadAsync(task, args);
            if (result.Found)
            {
                clock.Stop();
                Console.WriteLine(result.Value?.ToJsonString());
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"handler executions: {worker.Statistics.Executions}, distinct calls: {store.CountOf(MemKeyType.Value)}, wall time: {clock.Elapsed.TotalSeconds:F3} s"));
                await worker.StopAsync();
                return 0;
            }

            if (worker.Statistics.Failed > 0)
            {
                return Cli.Fail($"{taskName} failed; see the log above");
            }

            if (clock.Elapsed > nextProgress)
            {
                await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"... {clock.Elapsed.TotalSeconds:F0} s: {worker.Statistics.Executions} executions, {store.CountOf(MemKeyType.Value)} calls done"));
                nextProgress += TimeSpan.FromSeconds(1);
            }

            await Task.Delay(2);
        }
    }
}
