import { pipeline, Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { isAllowedOrigin, type OaSource } from '@oa-archive/config';
import { SizeLimitExceededError } from '@oa-archive/storage';
import { stagingKeyOf } from '../archiveLayout.ts';
import type { StageHandler } from '../context.ts';
import { fetchStagedObject, type StagedComponent } from './fetchStaged.ts';
import { ComponentTooLargeError, FetchHttpError, FetchRefusedError, FetchTimeoutError } from '../errors.ts';

/**
 * Why a component URL may not be fetched for this source, or undefined when it may. The origin
 * (scheme, host, port as `URL.origin` normalises them) must be one the source lists, so a token meant
 * for https never goes over plain http unless the source lists that http origin itself.
 */
export function componentUrlRefusal(sourceName: string, source: OaSource, url: URL): string | undefined {
  if (url.protocol === 's3:') {
    if (isAllowedOrigin(source, url)) return undefined;
    const prefixes = source.allowedS3Prefixes ?? [];
    return `points at ${url.href}, which is not under an allowedS3Prefixes entry of source "${sourceName}" (${prefixes.length > 0 ? `allowed: ${prefixes.join(', ')}` : 'it has none'})`;
  }
  if (url.username || url.password) return `points at ${url.origin} with credentials in the URL; the source's token is the only credential sent`;
  if (!isAllowedOrigin(source, url)) {
    return `points at ${url.origin}, which is not an allowed origin of source "${sourceName}" (allowed: ${source.allowedOrigins.join(', ')})`;
  }
  return undefined;
}

/**
 * Streams each component from the OA into staging, hashing it on the way. Only origins configured for
 * the event's source are contacted, redirects are not followed (a redirect could lead the token or
 * the request anywhere), and size and time are bounded.
 * A component already staged by an earlier attempt is not fetched again.
 */
export const fetchStage: StageHandler = async ({ ingest, deps, log, signal }) => {
  const { catalog, store, settings } = deps;
  const source = settings.sources[ingest.source];
  if (!source) throw new FetchRefusedError(`no OA source "${ingest.source}" is configured (OA_SOURCES)`);

  const fetched: Record<string, unknown>[] = [];
  // Recorded together once the loop ends (or fails: a retry then fetches only what is missing).
  const staged: StagedComponent[] = [];
  const fetchAll = async (): Promise<void> => {
    for (const component of await catalog.listComponents(ingest.ingestId)) {
      // Past the deadline the attempt has failed: start nothing more for it.
      signal?.throwIfAborted();
      if (component.stagingKey && component.sha256 && component.size !== null) {
        fetched.push({ ordinal: component.ordinal, size: component.size, sha256: component.sha256, reused: true });
        continue;
      }
      const url = new URL(component.sourceUrl);
      const refusal = componentUrlRefusal(ingest.source, source, url);
      if (refusal) throw new FetchRefusedError(`component ${component.ordinal} ${refusal}`);
      const limit = settings.fetch.maxBytes;
      if (component.declaredSize !== null && component.declaredSize > limit) throw new ComponentTooLargeError(component.fileName, limit);
      if (url.protocol === 's3:') {
        // A package's file, staged by the gateway in the archive's own store.
        const fromPackage = await fetchStagedObject({ ingest, component, url, deps });
        staged.push(fromPackage.staged);
        fetched.push(fromPackage.entry);
        continue;
      }

      const started = performance.now();
      let response: Response;
      try {
        response = await fetch(url, {
          headers: source.token ? { authorization: `Bearer ${source.token}` } : {},
          redirect: 'manual',
          // The download stops at its own timeout or when the stage passes its deadline, whichever comes first.
          signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(settings.fetch.timeoutMs)]) : AbortSignal.timeout(settings.fetch.timeoutMs),
        });
      } catch (error) {
        throw (error as Error).name === 'TimeoutError' ? new FetchTimeoutError(url.href, settings.fetch.timeoutMs) : error;
      }
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel();
        throw new FetchRefusedError(`OA redirected ${url.href} (HTTP ${response.status}); redirects are not followed`);
      }
      if (!response.ok || !response.body) {
        await response.body?.cancel();
        throw new FetchHttpError(url.href, response.status);
      }
      const announced = Number(response.headers.get('content-length') ?? NaN);
      if (announced > limit) {
        await response.body.cancel();
        throw new ComponentTooLargeError(component.fileName, limit);
      }

      const stagingKey = stagingKeyOf(ingest.ingestId, component.ordinal);
      const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
      // A copy on this host as the bytes go by, for the stages after (LocalCache); errors travel along the pipe.
      const tee = deps.cache?.keeps(Number.isFinite(announced) ? announced : (component.declaredSize ?? undefined)) ? await deps.cache.tee() : undefined;
      let stored;
      try {
        stored = await store.putStream({
          bucket: settings.stagingBucket,
          key: stagingKey,
          body: tee ? pipeline(body, tee, () => undefined) : body,
          contentType: response.headers.get('content-type') ?? undefined,
          maxBytes: limit,
          ...(Number.isFinite(announced) ? { sizeHint: announced } : component.declaredSize !== null ? { sizeHint: component.declaredSize } : {}),
        });
        await tee?.commit(stored.sha256);
      } catch (error) {
        await tee?.discard();
        if (error instanceof SizeLimitExceededError) throw new ComponentTooLargeError(component.fileName, limit);
        if ((error as Error).name === 'TimeoutError') throw new FetchTimeoutError(url.href, settings.fetch.timeoutMs);
        throw error;
      }
      staged.push({ ordinal: component.ordinal, stagingKey, size: stored.size, sha256: stored.sha256, sm3: stored.sm3 });
      const entry = {
        ordinal: component.ordinal,
        size: stored.size,
        sha256: stored.sha256,
        sm3: stored.sm3,
        // A mismatch is evidence for the authenticity check, recorded as it is and never "fixed".
        ...(component.declaredSha256 ? { declaredSha256Matches: component.declaredSha256 === stored.sha256 } : {}),
        ms: Math.round(performance.now() - started),
      };
      log.debug(entry, 'component staged');
      fetched.push(entry);
    }
  };
  try {
    await fetchAll();
  } catch (error) {
    await catalog.recordFetchedMany(ingest.ingestId, staged).catch((noted: unknown) => {
      throw new AggregateError([error, noted], `fetching failed, and so did recording the ${staged.length} component(s) staged before it`);
    });
    throw error;
  }
  await catalog.recordFetchedMany(ingest.ingestId, staged);
  return { detail: { components: fetched } };
};
