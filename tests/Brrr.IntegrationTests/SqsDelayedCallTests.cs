using Akka.Configuration;
using Amazon.Runtime;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.Sqs;

namespace Brrr.IntegrationTests;

/// <summary>The delay suite on the SQS queue (a real fauxqs): delayed roots and retries ride on SQS's own DelaySeconds.</summary>
public sealed class SqsDelayedCallTests(FauxqsServer sqs) : DelayContract, IClassFixture<FauxqsServer>
{
    protected override Task<FailureHost> StartAsync()
    {
        var settings = SqsQueueSettings.Default with { ServiceUrl = sqs.ServiceUrl, Region = "us-east-1", QueueNamePrefix = $"d{Guid.NewGuid():N}-"[..20] };
        var queue = SqsQueue.Create(settings, new BasicAWSCredentials("dummy", "dummy"));
        var backends = new BrrrBackends(new InMemoryStore(), new InMemoryCache(), queue, JsonCodec.Default);
        return Task.FromResult(FailureHosts.Start(Tasks, Topic, backends, ConfigurationFactory.ParseString(WorkerHocon), queue.DisposeAsync, () => { }));
    }
}
