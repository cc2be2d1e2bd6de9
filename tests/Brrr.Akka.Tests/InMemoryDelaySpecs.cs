using Akka.Configuration;
using Brrr.Contracts;

namespace Brrr.Akka.Tests;

/// <summary>The delay suite on the in-memory backends: delayed roots, and retries that wait in the queue.</summary>
public sealed class InMemoryDelaySpecs : DelayContract
{
    protected override Task<FailureHost> StartAsync() =>
        Task.FromResult(InMemoryFailureSpecs.Start("delays", ConfigurationFactory.ParseString(WorkerHocon).WithFallback(InMemoryFailureSpecs.WorkerConfig), Topic, Tasks));
}
