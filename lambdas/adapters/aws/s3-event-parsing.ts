import { z } from 'zod';
import { ValidationError } from '../../core/errors.js';
import type { ObjectEvent } from '../../core/events/object-event.js';

/** The EventBridge "Object Created" / "Object Deleted" event S3 sends to the default bus. */
export const s3EventBridgeEventSchema = z.looseObject({
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
  };
}

/**
 * Converts an S3 notification record into the EventBridge event the AWS rule
 * would deliver, as local mode must (there is no local EventBridge).
 * Notification keys are URL-encoded with `+` for spaces; EventBridge keys are not.
 */
export function notificationToEventBridge(
  record: S3NotificationRecord,
  account = '000000000000',
  region = 'us-east-1',
): S3EventBridgeEvent {
  const object = record.s3.object;
  return {
    version: '0',
    id: `${record.s3.bucket.name}-${object.sequencer ?? record.eventTime}`,
    'detail-type': record.eventName.startsWith('ObjectCreated')
      ? 'Object Created'
      : 'Object Deleted',
    source: 'aws.s3',
    account,
    time: record.eventTime,
    region,
    resources: [`arn:aws:s3:::${record.s3.bucket.name}`],
    detail: {
      version: '0',
      bucket: { name: record.s3.bucket.name },
      object: {
        key: decodeURIComponent(object.key.replace(/\+/g, ' ')),
        ...(object.size !== undefined ? { size: object.size } : {}),
        ...(object.eTag !== undefined ? { etag: object.eTag } : {}),
        ...(object.versionId !== undefined ? { 'version-id': object.versionId } : {}),
        ...(object.sequencer !== undefined ? { sequencer: object.sequencer } : {}),
      },
      reason: record.eventName.split(':')[1] ?? 'PutObject',
    },
  };
}
