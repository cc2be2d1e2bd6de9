namespace Brrr.Akka;

/// <summary>How a worker applies the store effects of a call's outcome (<c>brrr.effects</c>).</summary>
public enum BrrrEffects
{
    /// <summary><see cref="Inline"/> when the store, the cache and the queue are the in-memory ones, else <see cref="Actors"/>.</summary>
    Auto,

    /// <summary>
    /// By the registrar and returner actors, which apply the effects on one call hash one at a time: on a networked
    /// store this saves compare-and-set conflicts and re-runs.
    /// </summary>
    Actors,

    /// <summary>By the call's runner itself, with no actor hop: for backends whose requests complete at once.</summary>
    Inline,
}
