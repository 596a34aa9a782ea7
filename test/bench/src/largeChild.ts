/**
 * The large-file run of `pnpm bench` in a process of its own, importing nothing else, so its peak RSS
 * is the byte path's and not the bench's. Prints the result as one line of JSON.
 */
import { parseArgs } from 'node:util';
import { benchLargeFile } from './largeFile.ts';

const { values } = parseArgs({ options: { 'large-mib': { type: 'string', default: '1024' } } });
process.stdout.write(`${JSON.stringify(await benchLargeFile(Number(values['large-mib'])))}\n`);
process.exit(0);
