import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * What an OA system does to sign a request, written from the spec in docs/oa-integration.md and not
 * from the gateway's code, so the tests check one against the other.
 */
export function signedHeaders(args: { appId: string; secret: string; method: string; url: string; body: Uint8Array; now?: Date; nonce?: string }): Record<string, string> {
  const timestamp = String(Math.floor((args.now ?? new Date()).getTime() / 1000));
  const nonce = args.nonce ?? randomBytes(16).toString('hex');
  const bodySha256 = createHash('sha256').update(args.body).digest('hex');
  const text = `${args.method}\n${args.url}\n${timestamp}\n${nonce}\n${bodySha256}`;
  return {
    'x-oa-app-id': args.appId,
    'x-oa-timestamp': timestamp,
    'x-oa-nonce': nonce,
    'x-oa-signature': createHmac('sha256', args.secret).update(text).digest('hex'),
  };
}
