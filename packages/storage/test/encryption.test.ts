import { describe, expect, it } from 'vitest';
import { encryptionParams, encryptionProblem } from '../src/index.ts';

describe('encryptionParams', () => {
  it('asks for nothing when off, SSE-S3 or SSE-KMS with its key otherwise', () => {
    expect(encryptionParams({ mode: 'none' })).toEqual({});
    expect(encryptionParams({ mode: 'AES256' })).toEqual({ ServerSideEncryption: 'AES256' });
    expect(encryptionParams({ mode: 'aws:kms' })).toEqual({ ServerSideEncryption: 'aws:kms' });
    expect(encryptionParams({ mode: 'aws:kms', kmsKeyId: 'archive-key' })).toEqual({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'archive-key' });
  });
});

describe('encryptionProblem', () => {
  it('accepts an answer that reports the encryption asked for', () => {
    expect(encryptionProblem({ mode: 'AES256' }, { ServerSideEncryption: 'AES256' })).toBeUndefined();
    expect(encryptionProblem({ mode: 'aws:kms', kmsKeyId: 'archive-key' }, { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'arn:aws:kms:us-east-1:1:key/archive-key' })).toBeUndefined();
    expect(encryptionProblem({ mode: 'none' }, {})).toBeUndefined();
  });

  it('refuses an answer without the encryption: the store may have ignored the header', () => {
    expect(encryptionProblem({ mode: 'AES256' }, {})).toMatch(/did not report server-side encryption \(asked for AES256\)/);
  });

  it('refuses other encryption or another KMS key than asked', () => {
    expect(encryptionProblem({ mode: 'aws:kms' }, { ServerSideEncryption: 'AES256' })).toMatch(/reports server-side encryption AES256, not aws:kms/);
    expect(encryptionProblem({ mode: 'aws:kms', kmsKeyId: 'archive-key' }, { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'other-key' })).toMatch(/KMS key other-key, not archive-key/);
  });
});
