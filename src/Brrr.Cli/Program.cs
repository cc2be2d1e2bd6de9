using System.CommandLine;

var root = new RootCommand("brrr: see and manage a brrr fleet (topics, workflows, dead letters) on Redis and DynamoDB.");
return await root.Parse(args).InvokeAsync();
