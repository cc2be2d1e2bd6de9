using System.Text.Json;
using Brrr.Akka;
using Brrr.Bench.Counting;

namespace Brrr.Bench;

/// <summary>
/// What the workers of one process did during a run and what that process used: for an in-process run, the W worker
/// systems of the bench itself; for a process run, one worker process, which prints it as one JSON line when told to
/// stop (<see cref="ToJson"/>, <see cref="Parse"/>).
/// </summary>
/// <param name="Ops">The process's own backend operation counts (with <c>--count-ops</c> in a worker process), else null.</param>
internal sealed record WorkerReport(long Executions, long Deferred, long Skipped, long Failed, ResourceUsage Usage, OpCounts? Ops)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static WorkerReport Of(IReadOnlyCollection<BrrrWorker> workers, ResourceUsage usage, OpCounts? ops) => new(
        workers.Sum(w => w.Statistics.Executions),
        workers.Sum(w => w.Statistics.Deferred),
        workers.Sum(w => w.Statistics.Skipped),
        workers.Sum(w => w.Statistics.Failed),
        usage,
        ops);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a line written by <see cref="ToJson"/>; throws <see cref="JsonException"/> on anything else.</summary>
    public static WorkerReport Parse(string line) =>
        JsonSerializer.Deserialize<WorkerReport>(line, Json) ?? throw new JsonException($"Not a worker report: {line}");
}
