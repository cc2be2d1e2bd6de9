using Brrr.Bench;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException)
{
    Console.Error.WriteLine($"brrr-bench: {e.Message}");
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

if (options.Smoke)
{
    return await Smoke.RunAsync(options);
}

if (options.ServeWorker)
{
    return await WorkerHost.ServeAsync(options);
}

await using var session = await BenchBackends.StartAsync(options);
if (options.Workload is "store" or "queue")
{
    return await BackendProbe.RunAsync(options, session);
}

await using var processes = options.Processes > 0 ? await WorkerProcesses.StartAsync(options, session) : null;
var results = new List<RunResult>();
Console.Error.WriteLine(RunResult.TableHeader);
for (var i = 0; i < options.Warmup + options.Repeat; i++)
{
    RunResult result;
    try
    {
        result = await BenchRun.RunAsync(options, session, processes);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine($"brrr-bench: {e.Message}");
        return 2;
    }
    catch (WorkerProcessException e)
    {
        Console.Error.WriteLine($"brrr-bench: {e.Message}");
        return 1;
    }

    if (i < options.Warmup)
    {
        Console.Error.WriteLine(result with { Kind = "warmup" } is var w ? w.ToTableRow() : "");
        if (result.Error is not null)
        {
            return 1;
        }

        continue;
    }

    results.Add(result);
    Console.Out.WriteLine(result.ToJson());
    Console.Error.WriteLine(result.ToTableRow());
}

if (results.Count > 1)
{
    var median = RunResult.Median(results);
    Console.Out.WriteLine(median.ToJson());
    Console.Error.WriteLine(median.ToTableRow());
}

return results.Any(r => r.Error is not null) ? 1 : 0;
