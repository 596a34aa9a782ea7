/**
 * Serves one file over HTTP, as the OA does in the large-file run, from a process of its own (the OA is
 * another machine: its reads and sends are not the fetching process's work). Prints its port.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';

const file = process.argv[2]!;
const size = statSync(file).size;
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-length': size, 'content-type': 'video/mp4' });
  createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(response);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));
