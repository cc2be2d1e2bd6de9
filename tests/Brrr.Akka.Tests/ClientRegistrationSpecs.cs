using System.Numerics;
using Akka.Actor;
using Akka.Hosting;
using Brrr.Akka;
using Brrr.Akka.Hosting;
using Brrr.Contracts.Workloads;
using Brrr.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Brrr.Akka.Tests;

/// <summary>The <see cref="IBrrrClient"/> an application takes from DI: its own embedded worker's, or one on the fleet's backends.</summary>
public sealed class ClientRegistrationSpecs
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    private static IHost Host(Action<IServiceCollection> services, BrrrBackends? backends = null, string? workerName = null) =>
        new HostBuilder()
            .ConfigureServices(s =>
            {
                s.AddAkka("clients", builder => builder
                    .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
                    .WithBrrr(o =>
                    {
                        o.AddTopic(FibTask.Topic, new TaskSet(FibTask.Fib), parallelism: 4);
                        o.Backends = backends;
                        o.WorkerName = workerName;
                    }));
                services(s);
            })
            .Build();

    [Fact]
    public async Task The_embedded_workers_client_taken_before_the_host_starts_enqueues_into_its_in_memory_default()
    {
        using var host = Host(s => s.AddBrrrWorkerClient());
        var client = host.Services.GetRequiredService<IBrrrClient>();
        await host.StartAsync();
        try
        {
            var args = new FibArgs(12, Guid.NewGuid().ToString("N"));
            Assert.Equal("fib", (await client.ScheduleAsync(FibTask.Fib, args, FibTask.Topic)).TaskName);
            Assert.Equal(new BigInteger(144), await client.WaitAsync(FibTask.Fib, args, Within));
            Assert.Equal(CallState.Completed, (await client.GetStatusAsync(FibTask.Fib, args)).State);
            Assert.Equal(new BigInteger(144), (await client.ReadAsync(FibTask.Fib, args)).Value);
            Assert.Same(client, host.Services.GetRequiredService<IBrrrClient>());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task A_client_of_a_named_worker_waits_for_that_worker_and_not_another()
    {
        using var host = Host(s => s.AddBrrrWorkerClient("orders"), workerName: "billing");
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<IBrrrClient>();
            using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ScheduleAsync(FibTask.Fib, new FibArgs(3, "x"), FibTask.Topic, soon.Token));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task A_client_on_the_backends_a_worker_shares_enqueues_into_it_and_a_second_registration_keeps_the_first()
    {
        var backends = BrrrBackends.InMemory();
        using var host = Host(s => s.AddBrrrClient(backends).AddBrrrWorkerClient("never-started"), backends);
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<IBrrrClient>();
            Assert.IsType<BrrrClient>(client);
            var args = new FibArgs(10, Guid.NewGuid().ToString("N"));
            await client.ScheduleAsync(FibTask.Fib, args, FibTask.Topic);
            Assert.Equal(new BigInteger(55), await client.WaitAsync(FibTask.Fib, args, Within));
            Assert.Single(host.Services.GetServices<IBrrrClient>());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task The_registry_key_of_a_hosted_worker_resolves_with_no_other_registration_and_gives_its_client_on_the_in_memory_default()
    {
        using var host = Host(_ => { });
        var workers = host.Services.GetRequiredService<IRequiredActor<BrrrWorkerKey>>();
        await host.StartAsync();
        try
        {
            var worker = await workers.GetBrrrWorkerAsync();
            Assert.Same(worker, await (await workers.GetAsync()).Ask<BrrrWorker>(new GetBrrrWorker(worker.Name)));
            Assert.Equal([FibTask.Topic], worker.Topics);

            var args = new FibArgs(12, Guid.NewGuid().ToString("N"));
            await worker.Client.ScheduleAsync(FibTask.Fib, args, FibTask.Topic);
            Assert.Equal(new BigInteger(144), await worker.Client.WaitAsync(FibTask.Fib, args, Within));
            Assert.Equal(new BigInteger(144), (await worker.Client.ReadAsync(FibTask.Fib, args)).Value);
            Assert.True(worker.Statistics.ExecutionsByTask["fib"] > 0);
            Assert.Null(host.Services.GetService<IBrrrClient>());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task The_registry_key_of_two_hosted_workers_answers_for_each_by_name_and_for_the_first_without_one()
    {
        using var host = new HostBuilder()
            .ConfigureServices(s => s.AddAkka("registry", builder => builder
                .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
                .WithBrrr(o =>
                {
                    o.AddTopic(FibTask.Topic, new TaskSet(FibTask.Fib));
                    o.WorkerName = "first";
                })
                .WithBrrr(o =>
                {
                    o.AddTopic("second-topic", new TaskSet(FibTask.Fib));
                    o.WorkerName = "second";
                })))
            .Build();
        await host.StartAsync();
        try
        {
            var workers = host.Services.GetRequiredService<IRequiredActor<BrrrWorkerKey>>();
            Assert.Equal("first", (await workers.GetBrrrWorkerAsync()).Name);
            Assert.Equal(["second-topic"], (await workers.GetBrrrWorkerAsync("second")).Topics);
            await Assert.ThrowsAsync<ArgumentException>(() => workers.GetBrrrWorkerAsync("third"));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AddBrrr_gives_the_client_of_its_worker_from_di_on_the_same_in_memory_backends()
    {
        using var host = new HostBuilder()
            .ConfigureServices(s => s.AddBrrr(
                "one-call",
                o => o.AddTopic(FibTask.Topic, new TaskSet(FibTask.Fib), parallelism: 4),
                akka => akka.AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)))
            .Build();
        var client = host.Services.GetRequiredService<IBrrrClient>();
        await host.StartAsync();
        try
        {
            var args = new FibArgs(15, Guid.NewGuid().ToString("N"));
            await client.ScheduleAsync(FibTask.Fib, args, FibTask.Topic);
            Assert.Equal(new BigInteger(610), await client.WaitAsync(FibTask.Fib, args, Within));
            Assert.Equal(new BigInteger(610), (await client.ReadAsync(FibTask.Fib, args)).Value);

            var worker = await host.Services.GetRequiredService<IRequiredActor<BrrrWorkerKey>>().GetBrrrWorkerAsync();
            Assert.Equal(new BigInteger(610), (await worker.Client.ReadAsync(FibTask.Fib, args)).Value);
            Assert.True(worker.Statistics.ExecutionsByTask["fib"] > 0);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
