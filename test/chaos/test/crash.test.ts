import { describe, expect, it } from 'vitest';
import { crashReasonOf } from '../src/crash.ts';

describe('crashReasonOf', () => {
  it('names the error of an unhandled error event, past the log lines and the stack', () => {
    const output = [
      '{"level":"info","msg":"ingest recorded and queued"}',
      'Error: connect ECONNREFUSED 127.0.0.1:16379',
      '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:2083:16) {',
      'node:events:505',
      "    throw er; // Unhandled 'error' event",
      '    ^',
      '',
      'Error: Connection terminated unexpectedly',
      '    at Connection.<anonymous> (/x/pg/lib/client.js:204:73)',
      'Emitted \'error\' event on Client instance at:',
      '',
      'Node.js v24.22.3',
    ].join('\n');
    expect(crashReasonOf(output)).toBe("unhandled 'error' event: Error: Connection terminated unexpectedly");
  });

  it('names an uncaught exception and a database error', () => {
    const output = ['file:///x/packages/config/src/load.ts:16', '  throw new ConfigError(', '        ^', '', 'ConfigError: invalid configuration:', '', 'Node.js v24.22.3'].join('\n');
    expect(crashReasonOf(output)).toBe('ConfigError: invalid configuration:');
    expect(crashReasonOf(['node:events:505', "    throw er; // Unhandled 'error' event", 'error: terminating connection due to administrator command', 'Node.js v24.22.3'].join('\n'))).toBe(
      "unhandled 'error' event: error: terminating connection due to administrator command",
    );
  });

  it('has nothing to say about a process that printed no crash', () => {
    expect(crashReasonOf('{"level":"info","msg":"worker running"}\n')).toBeUndefined();
  });
});
