// Starts fauxqs (an in-memory SQS-compatible server) for the tests' fixture and the bench, and prints
// "fauxqs listening on port N" once it listens. Run it with the Node.js of this folder (node_modules/.bin/node):
// fauxqs needs Node.js 22.5 or later. Arguments: [PORT] (default 0: the OS picks one) [--exit-with-stdin] (stop when
// standard input closes, so that it never outlives the test process that started it).
import { startFauxqs } from "fauxqs";

const args = process.argv.slice(2);
const port = Number(args.find((a) => /^\d+$/.test(a)) ?? 0);
const server = await startFauxqs({ port, logger: false });
console.log(`fauxqs listening on port ${server.port}`);
if (args.includes("--exit-with-stdin")) {
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
}
