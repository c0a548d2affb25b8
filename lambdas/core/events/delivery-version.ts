import type { ObjectEvent } from './object-event.js';

/**
 * An ETag without the quotes S3's headers and listings put around it (and a
 * weak `W/` marker), as S3's EventBridge events carry it.
 *
 * @example
 * ```ts
 * normalizeEtag('"b1946ac92492d2347c6235b4d2611184"'); // 'b1946ac92492d2347c6235b4d2611184'
 * ```
 */
export function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/**
 * The version of the object an event or a listing names, as the delivery
 * ledger records it: the ETag, which S3's events and listings both carry
 * (local folders derive one from size and modification time). Undefined
 * when there is none (a deletion): such events are not recorded.
 *
 * Two deliveries of one (bucket, key, ETag) are the same delivery, so
 * writing identical bytes to a key again is not a new one in an unversioned
 * bucket; submit a job or retry the old one to process the object again.
 *
 * @example
 * ```ts
 * deliveryVersion({ bucket: 'b', key: 'k', type: 'created', time: 0, etag: '"e1"' }); // 'e1'
 * ```
 */
export function deliveryVersion(
  event: Pick<ObjectEvent, 'type' | 'etag' | 'versionId'>,
): string | undefined {
  if (event.type !== 'created') return undefined;
  if (event.etag !== undefined && event.etag !== '') return normalizeEtag(event.etag);
  return event.versionId;
}

/**
 * The sequencer of an event made from a listing (a backfill) or a scan (the
 * folder watcher): 12 hex digits of the modification time (epoch ms), 10 of
 * the size, and the ETag when the store has a real one. S3's sequencers
 * cannot be known from a listing; this one is stable per object version, so
 * a backfilled event sent twice is a duplicate to every check downstream.
 *
 * @example
 * ```ts
 * versionSequencer({ lastModified: 0x18bcfe56800, size: 5 }); // '018BCFE568000000000005'
 * ```
 */
export function versionSequencer(version: {
  readonly lastModified: number;
  readonly size: number;
  readonly etag?: string | undefined;
}): string {
  return (
    Math.floor(version.lastModified).toString(16).toUpperCase().padStart(12, '0') +
    version.size.toString(16).toUpperCase().padStart(10, '0') +
    (version.etag === undefined ? '' : normalizeEtag(version.etag).replace(/[^0-9A-Za-z]/g, ''))
  );
}
