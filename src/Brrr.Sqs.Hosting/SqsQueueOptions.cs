using Akka.Actor;
using Akka.Configuration;
using Akka.DependencyInjection;
using Brrr.Akka;
using Brrr.Akka.Hosting;
using Microsoft.Extensions.Logging;

namespace Brrr.Sqs.Hosting;

/// <summary>
/// Code-side SQS settings for Akka.Hosting. Only the properties set are written as HOCON under <c>brrr.sqs</c> (see
/// <see cref="ToConfig"/>); the rest come from the application's HOCON, else the defaults. Credentials always come from
/// the standard AWS credential chain.
/// </summary>
public sealed class SqsQueueOptions
{
    /// <summary><c>brrr.sqs.region</c>: the AWS region.</summary>
    public string? Region { get; set; }

    /// <summary><c>brrr.sqs.service-url</c>: the endpoint of a local server (fauxqs, ElasticMQ, LocalStack).</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary><c>brrr.sqs.queue-name-prefix</c>: what every topic's queue name starts with.</summary>
    public string? QueueNamePrefix { get; set; }

    /// <summary><c>brrr.sqs.create-queues</c>: create a missing queue on first use.</summary>
    public bool? CreateQueues { get; set; }

    /// <summary><c>brrr.sqs.visibility-timeout</c>: how long a received message stays hidden (extended while a call runs).</summary>
    public TimeSpan? VisibilityTimeout { get; set; }

    /// <summary>The HOCON of the properties that are set (and nothing else).</summary>
    public Config ToConfig() => new HoconBuilder()
        .Set("brrr.sqs.region", Region)
        .Set("brrr.sqs.service-url", ServiceUrl?.ToString())
        .Set("brrr.sqs.queue-name-prefix", QueueNamePrefix)
        .Set("brrr.sqs.create-queues", CreateQueues)
        .Set("brrr.sqs.visibility-timeout", VisibilityTimeout)
        .ToConfig();
}

/// <summary>Puts the queue of a brrr worker of Akka.Hosting on Amazon SQS.</summary>
public static class SqsHostingExtensions
{
    /// <summary>
    /// Uses SQS for the queue, read from <c>brrr.sqs</c> when the ActorSystem starts (with <paramref name="configure"/>'s
    /// settings on top); the client is closed when the system terminates. Combine with a store and a cache, e.g.
    /// <c>options.UseSqs().UseDynamoDbStore()</c>. Consumers log (visibility they could not extend) through the host's
    /// <see cref="ILoggerFactory"/>.
    /// </summary>
    public static BrrrOptions UseSqs(this BrrrOptions options, Action<SqsQueueOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sqsOptions = new SqsQueueOptions();
        configure?.Invoke(sqsOptions);
        options.BackendConfig.Add(sqsOptions.ToConfig());
        options.BackendSteps.Add((system, backends) =>
        {
            var loggerFactory = DependencyResolver.For(system).Resolver.GetService<ILoggerFactory>();
            var queue = SqsQueue.Create(SqsQueueHocon.Create(system.Settings.Config), loggerFactory: loggerFactory);
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "brrr-sqs-close", async () =>
            {
                await queue.DisposeAsync().ConfigureAwait(false);
                return global::Akka.Done.Instance;
            });
            return Task.FromResult(backends with { Queue = queue });
        });
        return options;
    }
}
