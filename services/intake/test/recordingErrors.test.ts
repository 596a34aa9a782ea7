import { describe, expect, it } from 'vitest';
import { classifyRecordingError } from '../src/recordingErrors.ts';

/** Shaped as node-postgres reports a server error: the SQLSTATE in `code`. */
const databaseError = (code: string, message = 'refused') => Object.assign(new Error(message), { code, severity: 'ERROR' });
/** Shaped as Node reports a failed socket. */
const systemError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: 'connect' });

describe('classifyRecordingError', () => {
  it.each([
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22P02', 'invalid input syntax for type json'],
    ['22P05', 'unsupported Unicode escape sequence'],
    ['22001', 'value too long for type character varying(3)'],
    ['22003', 'integer out of range'],
    ['22008', 'date/time field value out of range'],
    ['23514', 'new row violates check constraint'],
    ['23502', 'null value in column violates not-null constraint'],
    ['54000', 'index row size exceeds maximum'],
  ])('blames the event for SQLSTATE %s', (code, message) => {
    expect(classifyRecordingError(databaseError(code, message))).toEqual({ kind: 'event', code, message });
  });

  it.each([
    ['23505', 'a duplicate key: already recorded, the next try finds it'],
    ['40001', 'serialization failure'],
    ['40P01', 'deadlock'],
    ['08006', 'connection failure'],
    ['53300', 'too many connections'],
    ['57P01', 'admin shutdown'],
    ['57014', 'statement timeout'],
    ['55P03', 'lock not available'],
    ['58030', 'I/O error'],
    ['42501', 'permission denied: the deployment, not the event'],
    ['42P01', 'undefined table'],
    ['3D000', 'database does not exist'],
    ['28P01', 'password authentication failed'],
    ['XX000', 'internal error'],
  ])('retries SQLSTATE %s (%s) without limit', (code) => {
    expect(classifyRecordingError(databaseError(code)).kind).toBe('transient');
  });

  it.each([
    ['a refused connection', systemError('ECONNREFUSED')],
    ['a reset connection', systemError('ECONNRESET')],
    ['an unknown host', systemError('ENOTFOUND')],
    ['every address refused', new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')], 'connect failed')],
    ['a connection lost mid-query', new Error('Connection terminated unexpectedly')],
    ['a pool that could not connect in time', new Error('timeout exceeded when trying to connect')],
  ])('retries %s without limit', (_name, error) => {
    expect(classifyRecordingError(error).kind).toBe('transient');
  });

  it('blames the event for an error raised while handling its data in this process', () => {
    expect(classifyRecordingError(new RangeError('Invalid string length'))).toEqual({ kind: 'event', message: 'Invalid string length' });
    expect(classifyRecordingError('not even an Error')).toEqual({ kind: 'event', message: 'not even an Error' });
  });
});
