using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Inspection;
using Brrr.Tasks;

namespace Brrr.Demo;

/// <summary><c>run</c>: everything in one process on the embedded in-memory backends.</summary>
public static class RunCommand
{
    /// <summary>
    /// Runs <paramref name="taskName"/>(<paramref name="pairs"/>) to completion and prints the result and figures. A failed
    /// call ends the run with one line saying why and the failure chain (exit 1); <paramref name="verbose"/> also shows Akka's log, stack traces included.
    /// </summary>
    public static async Task<int> RunAsync(string taskName, IReadOnlyList<KeyValuePair<string, string>> pairs, bool verbose)
    {
        var logLevel = verbose ? "WARNING" : "OFF";
        var config = ConfigurationFactory.ParseString($"akka.loglevel = {logLevel}\nakka.stdout-loglevel = {logLevel}");
        if (!DemoArguments.TryParse(taskName, pairs, BrrrSettings.Create(config).SpawnLimit, out var args, out var problem))
        {
            return Cli.Fail(problem.Message);
        }

        var tasks = DemoTasks.All();
        using var system = ActorSystem.Create("brrr-demo", config);
        var failure = new TaskCompletionSource<CallFailed>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.EventStream.Subscribe(system.ActorOf(Props.Create(() => new FailureListener(failure))), typeof(CallFailed));
        var store = new InMemoryStore();
        var backends = new BrrrBackends(store, new InMemoryCache(), new InMemoryQueue(), Codecs.JsonCodec.Default);
        var worker = BrrrExtension.Get(system).StartWorker(backends, DemoTasks.Topic, tasks);
        var task = BrrrTask.Ref<JsonObject, JsonNode?>(taskName, DemoTasks.Topic);
        var clock = Stopwatch.StartNew();
        await worker.Client.ScheduleAsync(task, args);
        var interval = ProgressInterval();
        var nextProgress = interval;
        var progress = ProgressLine.OnStandardError();
        TimeSpan? failedAt = null;
        while (true)
        {
            var status = await worker.Client.GetStatusAsync(task, args);
            if (status.State == CallState.Completed)
            {
                clock.Stop();
                progress.End();
                Console.WriteLine(status.Value?.ToJsonString());
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"handler executions: {worker.Statistics.Executions}, distinct calls: {store.CountOf(MemKeyType.Value)}, wall time: {clock.Elapsed.TotalSeconds:F3} s"));
                await worker.StopAsync();
                return 0;
            }

            if (status.Error is { } error)
            {
                progress.End();
                Console.Error.WriteLine($"brrr-demo: {FailureText.Summary(error)}" + (verbose ? " (see the log above)" : ""));
                Console.Error.WriteLine("failure chain, first failure first:");
                foreach (var line in await FailureText.ChainLinesAsync(worker.Client, error))
                {
                    Console.Error.WriteLine(line);
                }

                await worker.StopAsync();
                return 1;
            }

            // A failure whose parents could not be told (e.g. over the spawn limit) leaves the root pending: give up
            // on the root a while after the first failure was seen.
            if (failure.Task.IsCompleted && clock.Elapsed - (failedAt ??= clock.Elapsed) > UnreportedFailureGrace)
            {
                progress.End();
                var failed = await failure.Task;
                return Cli.Fail($"{taskName} failed: {failed.Error.Message}" + (verbose ? " (see the log above)" : ""));
            }

            if (clock.Elapsed > nextProgress)
            {
                progress.Show(string.Create(CultureInfo.InvariantCulture,
                    $"... {clock.Elapsed.TotalSeconds:F1} s: {worker.Statistics.Executions} executions, {store.CountOf(MemKeyType.Value)} calls done"));
                nextProgress += interval;
            }

            await Task.Delay(2);
        }
    }

    /// <summary>How long a failure that reached no error record of the root may leave the root pending before run gives up.</summary>
    private static readonly TimeSpan UnreportedFailureGrace = TimeSpan.FromSeconds(2);

    /// <summary>How often progress is shown: <c>BRRR_DEMO_PROGRESS_MS</c> milliseconds, default one second.</summary>

    private static TimeSpan ProgressInterval() =>
        int.TryParse(Environment.GetEnvironmentVariable("BRRR_DEMO_PROGRESS_MS"), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? TimeSpan.FromMilliseconds(ms)
            : TimeSpan.FromSeconds(1);

    /// <summary>Completes a task with the first call that failed for good (transient failures are retried).</summary>
    private sealed class FailureListener : ReceiveActor
    {
        public FailureListener(TaskCompletionSource<CallFailed> failure) =>
            Receive<CallFailed>(failed => !failed.Released, failed => failure.TrySetResult(failed));
    }
}
