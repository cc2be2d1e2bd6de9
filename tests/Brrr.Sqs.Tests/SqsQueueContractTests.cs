using Brrr.Backends;
using Brrr.Contracts;
using Brrr.Contracts.Servers;

namespace Brrr.Sqs.Tests;

/// <summary>The queue contract on a real SQS-compatible server: unordered, with native delays.</summary>
[Collection(FauxqsCollection.Name)]
public sealed class SqsQueueContractTests(FauxqsServer server) : QueueContract
{
    protected override bool KeepsOrder => false;

    protected override bool DelaysNatively => true;

    protected override IQueue CreateQueue() => Fauxqs.Queue(server);
}
