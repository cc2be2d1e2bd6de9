using Akka.Configuration;
using Amazon.Runtime;
using Brrr.DynamoDb.Hosting;

namespace Brrr.DynamoDb.Tests;

public sealed class DynamoDbStoreOptionsTests
{
    [Fact]
    public void Retry_and_timeout_options_give_the_settings_of_the_same_hocon()
    {
        var options = new DynamoDbStoreOptions
        {
            MaxErrorRetries = 2,
            RetryMode = RequestRetryMode.Adaptive,
            RequestTimeout = TimeSpan.FromSeconds(3),
            OperationTimeout = TimeSpan.FromMilliseconds(1500),
            CounterExpiry = TimeSpan.FromHours(2),
            CancelExpiry = TimeSpan.FromDays(3),
        };
        var hocon = ConfigurationFactory.ParseString("""
            brrr.dynamodb {
              max-error-retries = 2
              retry-mode = adaptive
              request-timeout = 3s
              operation-timeout = 1500ms
              counter-expiry = 2h
              cancel-expiry = 3d
            }
            """);

        var settings = DynamoDbStoreHocon.Create(options.ToConfig());

        Assert.Equal(DynamoDbStoreHocon.Create(hocon), settings);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), settings.OperationTimeout);
        Assert.Equal(RequestRetryMode.Adaptive, settings.RetryMode);
        Assert.Equal(TimeSpan.FromDays(3), settings.CancelExpiry);
    }

    [Fact]
    public void Options_left_unset_write_no_hocon()
    {
        Assert.True(new DynamoDbStoreOptions().ToConfig().IsEmpty);
    }
}
