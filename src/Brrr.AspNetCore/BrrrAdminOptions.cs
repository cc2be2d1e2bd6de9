using Brrr.Inspection;

namespace Brrr.AspNetCore;

/// <summary>
/// How <see cref="BrrrAdminEndpoints.MapBrrrAdmin(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder, string, Brrr.Akka.BrrrBackends, System.Action{BrrrAdminOptions}?)"/>
/// serves the admin API. Nothing is open by default: reads need the host's authorization, and actions are not mapped
/// until <see cref="ActionPolicy"/> names a policy.
/// </summary>
public sealed class BrrrAdminOptions
{
    /// <summary>
    /// The authorization policy of the read endpoints (topics, status, inspect, dead letters); null: the host's
    /// default policy (by default, any authenticated user). The host must have authentication set up: an anonymous
    /// request is challenged (401).
    /// </summary>
    public string? ReadPolicy { get; set; }

    /// <summary>
    /// The authorization policy of the action endpoints (schedule, retry, cancel, requeue a lost call, requeue and
    /// purge dead letters); null: they are not mapped at all (404).
    /// </summary>
    public string? ActionPolicy { get; set; }

    /// <summary>The fleet's dead-letter suffix (<c>brrr.dead-letter-suffix</c>) when mapped over backends; a worker's own setting is used otherwise.</summary>
    public string DeadLetterSuffix { get; set; } = DeadLetterAdmin.DefaultSuffix;

    /// <summary>Jobs allowed per root for what the API schedules (<c>brrr.spawn-limit</c>) when mapped over backends.</summary>
    public long SpawnLimit { get; set; } = BrrrClient.DefaultSpawnLimit;

    /// <summary>The largest request body read, in bytes; a larger one is answered 413.</summary>
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>The most dead letters one page lists (<c>limit</c>).</summary>
    public int MaxPageSize { get; set; } = 1000;

    /// <summary>How long one request may take against the backends before it is answered 503.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(DeadLetterSuffix, nameof(DeadLetterSuffix));
        ArgumentOutOfRangeException.ThrowIfLessThan(SpawnLimit, 1, nameof(SpawnLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBodyBytes, 2, nameof(MaxBodyBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPageSize, 1, nameof(MaxPageSize));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestTimeout, TimeSpan.Zero, nameof(RequestTimeout));
        if (ReadPolicy is { Length: 0 } || ActionPolicy is { Length: 0 })
        {
            throw new ArgumentException("A policy name cannot be empty: leave it null for the default (reads) or for no actions.");
        }
    }
}
