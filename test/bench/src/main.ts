/**
 * pnpm bench — measured on this machine, against the real local infrastructure (infra/local/up.sh):
 *   1. a mixed batch of simulated agency documents end to end (documents/s, event → FILED p50/p95,
 *      peak RSS per service);
 *   2. the LibreOffice pool beside a cold `soffice --convert-to` baseline measured in the same run;
 *   3. one large file (default 1 GiB) through fetch, staging and deposit beside a plain read-and-hash.
 * Options: --documents N (60), --conversions N (40), --cold N (5), --large-mib N (1024), --only pipeline|conversion|large
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { benchConversion } from './conversion.ts';
import { benchLargeFile, formatLargeFile } from './largeFile.ts';
import { benchPipeline } from './pipeline.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    documents: { type: 'string', default: '60' },
    conversions: { type: 'string', default: '40' },
    cold: { type: 'string', default: '5' },
    'large-mib': { type: 'string', default: '1024' },
    only: { type: 'string' },
  },
});

// The large-file run happens in a child process so its peak RSS is its own.
if (positionals[0] === 'large-child') {
  process.stdout.write(`${JSON.stringify(await benchLargeFile(Number(values['large-mib'])))}\n`);
  process.exit(0);
}

const print = (lines: string[]) => process.stdout.write(`${lines.join('\n')}\n\n`);
const want = (part: string) => !values.only || values.only === part;
process.stdout.write(`oa-archive bench — ${new Date().toISOString()}, Node ${process.version}, ${(await import('node:os')).cpus().length} cores\n\n`);

if (want('pipeline')) print(await benchPipeline(Number(values.documents)));
if (want('conversion')) print(await benchConversion(Number(values.conversions), Number(values.cold), 2));
if (want('large')) {
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [import.meta.filename, 'large-child', '--large-mib', values['large-mib']!], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d));
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`large-file run exited ${code}`))));
  });
  print(formatLargeFile(JSON.parse(output.trim().split('\n').at(-1)!)));
}
process.exit(0);
