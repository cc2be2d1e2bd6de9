// README.md, "Time".
using Brrr;

namespace MyApp;

public static class Later
{
    public static async Task ScheduleAsync(IBrrrClient client)
    {
        // Runs fib(30) not before 10 minutes from now; NotBefore takes a point in time instead.
        await client.ScheduleAsync(Fib.Task, new FibArgs(30, "later"), new ScheduleOptions { Topic = "fib-topic", Delay = TimeSpan.FromMinutes(10) });
        await client.ScheduleAsync(Fib.Task, new FibArgs(31, "later"), new ScheduleOptions { Topic = "fib-topic", NotBefore = DateTimeOffset.Parse("2030-01-01T09:00:00Z") });
    }
}
