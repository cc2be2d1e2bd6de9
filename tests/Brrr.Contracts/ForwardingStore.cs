using Brrr.Backends;

namespace Brrr.Contracts;

/// <summary>
/// A store decorator that forwards every required <see cref="IStore"/> operation to <see cref="Inner"/>: a test's
/// decorator overrides the operations it changes. The optional operations keep their default implementations, which
/// compose the required ones (so they pass through the overrides); a decorator that forwards one of them as well
/// re-implements <see cref="IStore"/>.
/// </summary>
/// <param name="inner">The store underneath.</param>
public abstract class ForwardingStore(IStore inner) : IStore
{
    /// <summary>The store underneath.</summary>
    protected IStore Inner { get; } = inner;

    /// <inheritdoc />
    public virtual bool ReadsLatestWrites => Inner.ReadsLatestWrites;

    public virtual bool CanExpire => Inner.CanExpire;

    public virtual Task ExpireAsync(MemKey key, TimeSpan ttl, CancellationToken cancellationToken = default) => Inner.ExpireAsync(key, ttl, cancellationToken);

    public virtual Task PersistAsync(MemKey key, CancellationToken cancellationToken = default) => Inner.PersistAsync(key, cancellationToken);

    public virtual Task<bool> HasAsync(MemKey key, CancellationToken cancellationToken = default) => Inner.HasAsync(key, cancellationToken);

    /// <inheritdoc />
    public virtual Task<byte[]?> GetAsync(MemKey key, CancellationToken cancellationToken = default) => Inner.GetAsync(key, cancellationToken);

    /// <inheritdoc />
    public virtual Task SetAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default) => Inner.SetAsync(key, value, cancellationToken);

    /// <inheritdoc />
    public virtual Task DeleteAsync(MemKey key, CancellationToken cancellationToken = default) => Inner.DeleteAsync(key, cancellationToken);

    /// <inheritdoc />
    public virtual Task<bool> SetNewValueAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default) =>
        Inner.SetNewValueAsync(key, value, cancellationToken);

    /// <inheritdoc />
    public virtual Task<bool> CompareAndSetAsync(MemKey key, byte[] value, byte[] expected, CancellationToken cancellationToken = default) =>
        Inner.CompareAndSetAsync(key, value, expected, cancellationToken);

    /// <inheritdoc />
    public virtual Task<bool> CompareAndDeleteAsync(MemKey key, byte[] expected, CancellationToken cancellationToken = default) =>
        Inner.CompareAndDeleteAsync(key, expected, cancellationToken);
}

/// <summary>
/// A store that forwards everything to an inner one and changes nothing, yet is not that store's type: a worker on it
/// behaves as on a networked store (what it decides from the in-memory backends' types, it decides otherwise).
/// </summary>
/// <param name="inner">The store underneath.</param>
public sealed class PassThroughStore(IStore inner) : ForwardingStore(inner);
