using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Tasks;

namespace Brrr.Demo;

/// <summary>The demo's command line.</summary>
public static class Cli
{
    private const string Usage = """
        usage: brrr-demo <command> [--verbose]
          run <task> k=v ...   run a task to completion in this process on the embedded in-memory backends
                               tasks: hello greetee=NAME | fib n=N [salt=S] | lucas n=N [salt=S] | calc_and_print op=fib|lucas n=N [salt=S]
        """;

    /// <summary>Runs the command in <paramref name="args"/>; returns the exit code.</summary>
    public static async Task<int> MainAsync(string[] args)
    {
        var verbose = args.Contains("--verbose");
        var words = args.Where(a => a != "--verbose").ToArray();
        try
        {
            return words switch
            {
                ["run", var task, .. var rest] => await RunAsync(task, ParseArguments(rest)),
                ["run"] => Fail("run needs a task name, e.g. `run fib n=30`"),
                [] or ["help"] or ["--help"] or ["-h"] => Help(),
                [var other, ..] => Fail($"unknown command '{other}'"),
            };
        }
        catch (Exception e) when (e is ArgumentException or BrrrException or TimeoutException)
        {
            return Fail(verbose ? e.ToString() : e.Message);
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

            var key = word[..equals];
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

            args[key] = value;
        }

        return args;
    }

    private static async Task<int> RunAsync(string taskName, JsonObject args)
    {
        var tasks = DemoTasks.All();
        if (tasks.Find(taskName) is null)
        {
            return Fail($"unknown task '{taskName}' (known: {string.Join(", ", tasks.Names.Order(StringComparer.Ordinal))})");
        }

        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        using var system = ActorSystem.Create("brrr-demo", config);
        var store = new InMemoryStore();
        var backends = new BrrrBackends(store, new InMemoryCache(), new InMemoryQueue(), Codecs.JsonCodec.Default);
        var worker = BrrrExtension.Get(system).StartWorker(backends, DemoTasks.Topic, tasks);
        var task = BrrrTask.Ref<JsonObject, JsonNode?>(taskName, DemoTasks.Topic);
        var clock = Stopwatch.StartNew();
        var rootId = BrrrClient.NewRootId();
        await worker.Client.ScheduleAsync(backends.Codec.EncodeCall(taskName, args), DemoTasks.Topic, rootId);
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
                return Fail($"{taskName} failed; see the log above");
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

    private static int Help()
    {
        Console.WriteLine(Usage);
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"brrr-demo: {message}");
        return 2;
    }
}
