using Akka.Configuration;
using Brrr.Contracts.Workloads;
using Brrr.TestKit;

namespace Brrr.Akka.Tests;

/// <summary>Cascading cancel by root on the in-memory backends.</summary>
public sealed class CancelSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    private const int Parallelism = 4;

    public CancelSpecs() : base(ConfigurationFactory.ParseString($"""
        akka.loglevel = OFF
        brrr.cancel-check-interval = 0s
        brrr.topic-defaults.parallelism = {Parallelism}
        """))
    {
    }

    [Fact]
    public async Task No_job_of_a_root_runs_once_its_cancel_is_seen_and_a_root_sharing_its_subtree_still_completes()
    {
        var workload = new GatedFanOut();
        await using var brrr = new LocalBrrr(Sys, workload.Topics());
        await workload.CancelDuringFanOutAsync(brrr.Client, Parallelism, () => brrr.Worker.Statistics.Cancelled);
    }

    [Fact]
    public void The_cancel_check_interval_defaults_to_one_second()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), BrrrSettings.Create(ConfigurationFactory.Empty).CancelCheckInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(250), BrrrSettings.Create(ConfigurationFactory.ParseString("brrr.cancel-check-interval = 250ms")).CancelCheckInterval);
    }
}
