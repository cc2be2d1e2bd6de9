using Amazon.Runtime;
using Amazon.SQS;
using Brrr.Contracts.Servers;

namespace Brrr.Sqs.Tests;

/// <summary>One fauxqs for every test class that needs an SQS server; each test uses its own topics, so its own queues.</summary>
[CollectionDefinition(Name)]
public sealed class FauxqsCollection : ICollectionFixture<FauxqsServer>
{
    public const string Name = "fauxqs";
}

/// <summary>Settings, clients and queues pointed at the collection's fauxqs.</summary>
internal static class Fauxqs
{
    public static BasicAWSCredentials Credentials { get; } = new("dummy", "dummy");

    public static SqsQueueSettings Settings(FauxqsServer server) =>
        SqsQueueSettings.Default with { ServiceUrl = server.ServiceUrl, Region = "us-east-1" };

    /// <summary>A raw SQS client, to look at queues and messages as another program would.</summary>
    public static AmazonSQSClient Client(FauxqsServer server) =>
        new(Credentials, new AmazonSQSConfig { ServiceURL = server.ServiceUrl.ToString(), AuthenticationRegion = "us-east-1" });

    /// <summary>A queue owning its client.</summary>
    public static SqsQueue Queue(FauxqsServer server, Func<SqsQueueSettings, SqsQueueSettings>? change = null) =>
        SqsQueue.Create(change is null ? Settings(server) : change(Settings(server)), Credentials);
}
