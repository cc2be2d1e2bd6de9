using Brrr.Contracts.Servers;

namespace Brrr.Inspection.Tests;

// Each suite runs twice: Redis as queue and store, and the Redis queue with the DynamoDB store on a real dynalite.

/// <summary><see cref="InspectorTests"/> with the Redis store.</summary>
public sealed class InspectorOnRedisTests() : InspectorTests(null);

/// <summary><see cref="InspectorTests"/> with the DynamoDB store on dynalite.</summary>
public sealed class InspectorOnDynamoDbTests(DynaliteServer dynalite) : InspectorTests(dynalite), IClassFixture<DynaliteServer>;

/// <summary><see cref="DeadLetterAdminTests"/> with the Redis store.</summary>
public sealed class DeadLetterAdminOnRedisTests() : DeadLetterAdminTests(null);

/// <summary><see cref="DeadLetterAdminTests"/> with the DynamoDB store on dynalite.</summary>
public sealed class DeadLetterAdminOnDynamoDbTests(DynaliteServer dynalite) : DeadLetterAdminTests(dynalite), IClassFixture<DynaliteServer>;

/// <summary><see cref="DeadLetterWorkflowTests"/> with the Redis store.</summary>
public sealed class DeadLetterWorkflowOnRedisTests() : DeadLetterWorkflowTests(null);

/// <summary><see cref="DeadLetterWorkflowTests"/> with the DynamoDB store on dynalite.</summary>
public sealed class DeadLetterWorkflowOnDynamoDbTests(DynaliteServer dynalite) : DeadLetterWorkflowTests(dynalite), IClassFixture<DynaliteServer>;

/// <summary><see cref="WorkerVerdictTests"/> with the Redis store.</summary>
public sealed class WorkerVerdictOnRedisTests() : WorkerVerdictTests(null);

/// <summary><see cref="WorkerVerdictTests"/> with the DynamoDB store on dynalite.</summary>
public sealed class WorkerVerdictOnDynamoDbTests(DynaliteServer dynalite) : WorkerVerdictTests(dynalite), IClassFixture<DynaliteServer>;
