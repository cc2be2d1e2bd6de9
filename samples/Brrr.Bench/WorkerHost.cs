using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Bench.Workloads;

namespace Brrr.Bench;

/// <summary>
/// <c>--serve-worker</c>: the inside of a <see cref="WorkerProcess"/>. For every <c>serve TOPIC [TABLE]</c> on stdin it
/// starts one worker system on the session's Redis (and that DynamoDB table), says <c>ready PARALLELISM</c>, serves
/// until <c>stop</c>, then drains and prints its <see cref="WorkerReport"/>; it exits at the end of stdin (also when the
/// bench is gone). Stdout carries only those lines: all other output, Akka's logging included, goes to stderr. CPU
/// time and peak RSS cover ready to stop, like the clock of the run; the counts are read after the drain.
/// </summary>
internal static class WorkerHost
{
    public static async Task<int> ServeAsync(BenchOptions o)
    {
        var protocol = Console.Out;
        Console.SetOut(Console.Error);
        await using var session = await BenchBackends.StartAsync(o).ConfigureAwait(false);
        var workload = BenchRun.CreateWorkload(o, RunProbe.Untimed());
        var config = ConfigurationFactory.ParseString(o.WorkerHocon());
        while (await ReadLineAsync().ConfigureAwait(false) is { } command)
        {
            var words = command.Split(' ');
            if (words is not ["serve", var topic, .. var table] || table.Length > 1)
            {
                throw new InvalidOperationException($"Expected 'serve TOPIC [TABLE]' on stdin, got '{command}'.");
            }

            var report = await ServeRunAsync(session.JoinRun(table.FirstOrDefault()), topic, workload, config, protocol).ConfigureAwait(false);
            await protocol.WriteLineAsync(report.ToJson()).ConfigureAwait(false);
        }

        return 0;
    }

    private static async Task<WorkerReport> ServeRunAsync(RunBackends run, string topic, Workload workload, Config config, TextWriter protocol)
    {
        var system = ActorSystem.Create("bench-worker", config);
        var worker = BrrrExtension.Get(system).StartWorker(run.Backends, topic, workload.Tasks);
        using var meter = ResourceMeter.Start();
        await protocol.WriteLineAsync($"ready {worker.Settings.ForTopic(topic).Parallelism}").ConfigureAwait(false);
        var command = await ReadLineAsync().ConfigureAwait(false);
        var usage = meter.Stop();
        var ops = run.Snapshot();
        await worker.StopAsync().ConfigureAwait(false);
        await system.Terminate().ConfigureAwait(false);
        return command is null or "stop"
            ? WorkerReport.Of([worker], usage, ops)
            : throw new InvalidOperationException($"Expected 'stop' on stdin, got '{command}'.");
    }

    // A thread of its own: Console.In blocks, and a blocked pool thread would slow the worker being measured.
    private static Task<string?> ReadLineAsync() =>
        Task.Factory.StartNew(Console.In.ReadLine, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
