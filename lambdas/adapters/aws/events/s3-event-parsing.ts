import { z } from 'zod';
import { ValidationError } from '../../../core/errors.js';
import { normalizeEtag } from '../../../core/events/delivery-version.js';
import type { ObjectEvent } from '../../../core/events/object-event.js';

/** The EventBridge "Object Created" / "Object Deleted" event S3 sends to the default bus. */
export const s3EventBridgeEventSchema = z.looseObject({
  id: z.string().min(1).optional(),
  source: z.literal('aws.s3'),
  'detail-type': z.enum(['Object Created', 'Object Deleted']),
  time: z.iso.datetime({ offset: true }),
  detail: z.looseObject({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
      etag: z.string().optional(),
      'version-id': z.string().optional(),
      sequencer: z.string().optional(),
    }),
    reason: z.string().optional(),
  }),
});
export type S3EventBridgeEvent = z.infer<typeof s3EventBridgeEventSchema>;

/** One record of an S3 event notification (what the local S3 server emits). */
export const s3NotificationRecordSchema = z.object({
  eventName: z.string().regex(/^Object(Created|Removed):/),
  eventTime: z.iso.datetime({ offset: true }),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
      eTag: z.string().optional(),
      versionId: z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});
export type S3NotificationRecord = z.infer<typeof s3NotificationRecordSchema>;

/** A message body that is not an S3 EventBridge event, with what is wrong. */
export class MalformedS3EventError extends ValidationError {}

/**
 * Parses an ingest queue message body (an EventBridge S3 event) into an
 * {@link ObjectEvent}. EventBridge keys are not URL-encoded.
 *
 * @example
 * ```ts
 * const event = parseS3EventBridgeMessage(record.body, record.messageId);
 * ```
 */
export function parseS3EventBridgeMessage(body: string, deliveryId?: string): ObjectEvent {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new MalformedS3EventError(
      'body',
      'is not JSON',
      'the ingest queue takes S3 EventBridge events',
    );
  }
  const parsed = s3EventBridgeEventSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') || 'event';
    throw new MalformedS3EventError(
      path,
      issue?.message ?? 'is invalid',
      'expected an S3 "Object Created" or "Object Deleted" EventBridge event',
    );
  }
  const { detail } = parsed.data;
  return {
    type: parsed.data['detail-type'] === 'Object Created' ? 'created' : 'deleted',
    bucket: detail.bucket.name,
    key: detail.object.key,
    time: Date.parse(parsed.data.time),
    size: detail.object.size,
    etag: detail.object.etag,
    versionId: detail.object['version-id'],
    sequencer: detail.object.sequencer,
    ...(deliveryId ? { deliveryId } : {}),
    ...(parsed.data.id ? { eventId: parsed.data.id } : {}),
  };
}

/**
 * The EventBridge "Object Created" event for an object event bucketflow
 * makes itself (a backfill), so that it takes the same path through the
 * ingest queue as S3's own; `reason` says where it came from.
 *
 * @example
 * ```ts
 * const body = JSON.stringify(objectEventToEventBridge(event, { reason: 'Backfill' }));
 * ```
 */
export function objectEventToEventBridge(
  event: ObjectEvent,
  options: { readonly reason: string; readonly region?: string; readonly account?: string },
): S3EventBridgeEvent {
  const created = event.type === 'created';
  return {
    version: '0',
    ...(event.eventId ? { id: event.eventId } : {}),
    'detail-type': created ? 'Object Created' : 'Object Deleted',
    source: 'aws.s3',
    account: options.account ?? '000000000000',
    time: new Date(event.time).toISOString(),
    region: options.region ?? 'us-east-1',
    resources: [`arn:aws:s3:::${event.bucket}`],
    detail: {
      version: '0',
      bucket: { name: event.bucket },
      object: {
        key: event.key,
        ...(event.size !== undefined ? { size: event.size } : {}),
        ...(event.etag !== undefined ? { etag: normalizeEtag(event.etag) } : {}),
        ...(event.versionId !== undefined ? { 'version-id': event.versionId } : {}),
        ...(event.sequencer !== undefined ? { sequencer: event.sequencer } : {}),
      },
      reason: options.reason,
    },
  };
}

/** How a notification record's key is written. */
export interface NotificationConversion {
  /**
   * `url`: URL-encoded with `+` for a space, as S3 writes the records it
   * sends to SQS, SNS and Lambda. `raw`: the key itself, as the local S3
   * server (s3rver) writes its records.
   */
  readonly keyEncoding: 'url' | 'raw';
  /** The event id; a record carries none. @default bucket and sequencer */
  readonly id?: string | undefined;
  readonly account?: string | undefined;
  readonly region?: string | undefined;
}

/**
 * Converts an S3 notification record into the EventBridge event the AWS rule
 * would deliver, as local mode must (there is no local EventBridge).
 * EventBridge keys are not encoded, so a URL-encoded key is decoded; a key
 * that is not valid URL encoding raises {@link MalformedS3EventError}.
 *
 * @example
 * ```ts
 * notificationToEventBridge(record, { keyEncoding: 'raw' }).detail.object.key; // 'a+b=c.txt'
 * ```
 */
export function notificationToEventBridge(
  record: S3NotificationRecord,
  conversion: NotificationConversion,
): S3EventBridgeEvent {
  const object = record.s3.object;
  const region = conversion.region ?? 'us-east-1';
  return {
    version: '0',
    id: conversion.id ?? `${record.s3.bucket.name}-${object.sequencer ?? record.eventTime}`,
    'detail-type': record.eventName.startsWith('ObjectCreated')
      ? 'Object Created'
      : 'Object Deleted',
    source: 'aws.s3',
    account: conversion.account ?? '000000000000',
    time: record.eventTime,
    region,
    resources: [`arn:aws:s3:::${record.s3.bucket.name}`],
    detail: {
      version: '0',
      bucket: { name: record.s3.bucket.name },
      object: {
        key: conversion.keyEncoding === 'raw' ? object.key : decodeNotificationKey(object.key),
        ...(object.size !== undefined ? { size: object.size } : {}),
        ...(object.eTag !== undefined ? { etag: object.eTag } : {}),
        ...(object.versionId !== undefined ? { 'version-id': object.versionId } : {}),
        ...(object.sequencer !== undefined ? { sequencer: object.sequencer } : {}),
      },
      reason: eventBridgeReason(record.eventName),
    },
  };
}

/**
 * EventBridge's `reason` for a notification's event name (AWS documents
 * PutObject, POST Object, CopyObject, CompleteMultipartUpload and
 * DeleteObject).
 */
function eventBridgeReason(eventName: string): string {
  const action = eventName.split(':')[1] ?? '';
  return NOTIFICATION_REASONS[action] ?? (action || 'PutObject');
}

const NOTIFICATION_REASONS: Readonly<Record<string, string>> = {
  Put: 'PutObject',
  Post: 'POST Object',
  Copy: 'CopyObject',
  CompleteMultipartUpload: 'CompleteMultipartUpload',
  Delete: 'DeleteObject',
  DeleteMarkerCreated: 'DeleteObject',
};

/**
 * A key as S3 notification records write it (URL-encoded, `+` for a
 * space), decoded.
 *
 * @example
 * ```ts
 * decodeNotificationKey('a%2Bb%3Dc.txt'); // 'a+b=c.txt'
 * decodeNotificationKey('sp+ace.txt'); // 'sp ace.txt'
 * ```
 */
export function decodeNotificationKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    throw new MalformedS3EventError(
      's3.object.key',
      `${JSON.stringify(encoded)} is not URL-encoded as S3 notification keys are`,
      'S3 writes % as %25 and + as %2B in notification records',
    );
  }
}
