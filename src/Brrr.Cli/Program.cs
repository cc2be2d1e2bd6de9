return await Brrr.Cli.BrrrCli.RunAsync(args);
