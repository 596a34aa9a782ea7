import type { S3Client } from '@aws-sdk/client-s3';

/**
 * Calls `listener` with the command's name (`PutObjectCommand` …) for every HTTP request the client
 * sends, retries included: what a deployment is billed for and what the store has to serve. Installs
 * once per client; a second call replaces the first listener.
 */
export function observeRequests(s3: S3Client, listener: (command: string) => void): void {
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      listener(context.commandName ?? 'unknown');
      return next(args);
    },
    // Below the retry middleware (finalizeRequest, high): each attempt is one request on the wire.
    { step: 'finalizeRequest', priority: 'low', name: 'oaArchiveRequestObserver', override: true },
  );
}
