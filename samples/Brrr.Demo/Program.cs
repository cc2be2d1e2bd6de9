using Brrr.Demo;

return await Cli.MainAsync(args);
