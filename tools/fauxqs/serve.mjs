// Starts fauxqs (an in-memory SQS-compatible server) on a port the OS picks, for the tests' fixture and the bench,
// and prints "fauxqs listening on port N" once it answers. Run it with the Node.js of this folder (node_modules/.bin/node):
// fauxqs needs Node.js 22.5 or later. It stops when its standard input closes, so it never outlives its parent.
import { startFauxqs } from "fauxqs";

const server = await startFauxqs({ port: Number(process.env.FAUXQS_PORT ?? 0), logger: false });
console.log(`fauxqs listening on port ${server.port}`);
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
