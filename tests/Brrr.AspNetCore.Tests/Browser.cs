using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Brrr.AspNetCore.Tests;

/// <summary>
/// Debian's headless Chromium driven through chromedriver (both installed by scripts/test.sh when missing), with a
/// screenshot helper that writes to the test output folder, and to <c>BRRR_SCREENSHOTS_DIR</c> when it is set.
/// </summary>
internal sealed class Browser : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private Browser(ChromeDriver driver) => Driver = driver;

    public ChromeDriver Driver { get; }

    public static Browser Start()
    {
        var binary = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Chromium is not installed: run scripts/test.sh, or apt-get install chromium chromium-driver");
        var driverPath = new[] { "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("chromedriver is not installed: apt-get install chromium-driver");
        var options = new ChromeOptions { BinaryLocation = binary };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driverPath)!, Path.GetFileName(driverPath));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        return new Browser(new ChromeDriver(service, options, TimeSpan.FromSeconds(60)));
    }

    public void Open(Uri url) => Driver.Navigate().GoToUrl(url);

    /// <summary>Waits until <paramref name="condition"/> holds (it may throw while the page is not there yet), at most <paramref name="within"/> (default 30 s).</summary>
    public async Task<T> UntilAsync<T>(Func<T?> condition, string what, TimeSpan? within = null)
        where T : class
    {
        var bound = within ?? Within;
        var deadline = DateTime.UtcNow + bound;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (condition() is { } found)
                {
                    return found;
                }
            }
            catch (WebDriverException e)
            {
                last = e;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the page never showed {what} within {bound.TotalSeconds} s; it reads: {Text()}", last);
    }

    public Task<IWebElement> ElementAsync(string css, Func<IWebElement, bool> matches, string what) =>
        UntilAsync(() => Driver.FindElements(By.CssSelector(css)).FirstOrDefault(e => e.Displayed && matches(e)), what);

    public string Text() => Driver.FindElement(By.TagName("body")).Text;

    /// <summary>Saves a PNG of the page as <paramref name="name"/>.png.</summary>
    public void Screenshot(string name)
    {
        var shot = Driver.GetScreenshot();
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        shot.SaveAsFile(Path.Combine(folder, name + ".png"));
        if (Environment.GetEnvironmentVariable("BRRR_SCREENSHOTS_DIR") is { Length: > 0 } copy)
        {
            Directory.CreateDirectory(copy);
            shot.SaveAsFile(Path.Combine(copy, name + ".png"));
        }
    }

    public void Dispose() => Driver.Quit();
}
