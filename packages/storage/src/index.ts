export { createS3Client, ensureBuckets, isNotFound } from './client.ts';
export type { S3Settings } from './client.ts';
export { DepositVerificationError, ObjectStoreError, WriteOnceViolationError } from './errors.ts';
export { DigestingStream, SizeLimitExceededError, base64ToHex, hexToBase64 } from './hashing.ts';
export type { Fixity } from './hashing.ts';
export { ObjectStore } from './objectStore.ts';
export type { DepositResult, ObjectLock, StoredObject } from './objectStore.ts';
