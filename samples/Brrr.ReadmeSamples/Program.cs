// README.md, "Embedding a worker with Akka.Hosting": the worker on Redis and DynamoDB. Run by
// tests/Brrr.IntegrationTests (SampleProcessTests) against a real redis-server and dynalite.
using Akka.Hosting;
using Brrr.Akka;
using Brrr.Akka.Hosting;
using Brrr.DynamoDb.Hosting;
using Brrr.Redis.Hosting;
using Brrr.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using MyApp;

var host = Host.CreateDefaultBuilder(args)
    .ConfigureServices((context, services) => services.AddAkka("my-service", builder => builder
        .WithBrrr(options =>
        {
            options.SpawnLimit = 10_000;
            options.AddTopic("fib-topic", new TaskSet(Fib.Task), parallelism: 16);
            // Without these two lines the worker runs on the in-memory backends.
            options.UseRedis(redis => redis.Configuration = context.Configuration.GetConnectionString("redis") ?? "localhost:6379", store: false);
            options.UseDynamoDbStore(dynamo => dynamo.TableName = "brrr");  // region, endpoint, credentials: the AWS SDK's chain
        })))
    .Build();
await host.RunAsync();
