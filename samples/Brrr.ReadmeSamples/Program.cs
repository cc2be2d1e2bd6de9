// README.md, "Embedding a worker with Akka.Hosting" (built, not run: it connects to Redis and DynamoDB).
using Akka.Hosting;
using Brrr.Akka;
using Brrr.Akka.Hosting;
using Brrr.DynamoDb.Hosting;
using Brrr.Redis.Hosting;
using Brrr.Tasks;
using Microsoft.Extensions.Hosting;
using MyApp;

var host = Host.CreateDefaultBuilder(args)
    .ConfigureServices(services => services.AddAkka("my-service", builder => builder
        .WithBrrr(options =>
        {
            options.SpawnLimit = 10_000;
            options.AddTopic("fib-topic", new TaskSet(Fib.Task), parallelism: 16);
            // Without these two lines the worker runs on the in-memory backends.
            options.UseRedis(redis => redis.Configuration = "localhost:6379", store: false);
            options.UseDynamoDbStore(dynamo => dynamo.TableName = "brrr");
        })))
    .Build();
await host.RunAsync();
