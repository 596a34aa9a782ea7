/**
 * The local S3-compatible server (s3rver) for runs and tests on one machine. The application talks to
 * it over HTTP with the AWS SDK exactly as to AWS S3 or MinIO. Started by infra/local/s3.sh.
 *   node bin/s3-server.ts --port 9000 --directory <dir>
 */
import { parseArgs } from 'node:util';
// @ts-expect-error s3rver ships no type declarations
import S3rver from 's3rver';

const { values } = parseArgs({
  options: {
    address: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '9000' },
    directory: { type: 'string' },
  },
});
if (!values.directory) {
  console.error('usage: s3-server.ts --directory <dir> [--port 9000] [--address 127.0.0.1]');
  process.exit(2);
}

const server = new S3rver({
  address: values.address,
  port: Number(values.port),
  directory: values.directory,
  silent: true,
});
const { address, port } = await server.run();
console.log(JSON.stringify({ msg: 's3rver listening', address, port, directory: values.directory }));

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
