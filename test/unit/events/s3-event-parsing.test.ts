import { describe, expect, it } from 'vitest';
import {
  MalformedS3EventError,
  notificationToEventBridge,
  parseS3EventBridgeMessage,
  s3NotificationRecordSchema,
} from '../../../lambdas/adapters/aws/events/s3-event-parsing.js';
import {
  objectCreatedEvent,
  objectDeletedEvent,
  s3NotificationRecord,
} from '../../support/s3-event-factories.js';

describe('parseS3EventBridgeMessage', () => {
  it('reads the documented Object Created event', () => {
    // Act
    const event = parseS3EventBridgeMessage(JSON.stringify(objectCreatedEvent()), 'msg-1');

    // Assess
    expect(event).toEqual({
      type: 'created',
      bucket: 'DOC-EXAMPLE-BUCKET1',
      key: 'example-key',
      time: Date.parse('2021-11-12T00:00:00Z'),
      size: 5,
      etag: 'b1946ac92492d2347c6235b4d2611184',
      versionId: undefined,
      sequencer: '617f08299329d189',
      eventId: '17793124-05d4-b198-2fde-7ededc63b103',
      deliveryId: 'msg-1',
    });
  });

  it('reads an Object Deleted event as a deleted event', () => {
    expect(parseS3EventBridgeMessage(JSON.stringify(objectDeletedEvent())).type).toBe('deleted');
  });

  it('names the field of a malformed event', () => {
    // Prepare
    const event = objectCreatedEvent();
    (event.detail as { bucket: unknown }).bucket = {};

    // Act / Assess
    expect(() => parseS3EventBridgeMessage(JSON.stringify(event))).toThrow(MalformedS3EventError);
    expect(() => parseS3EventBridgeMessage(JSON.stringify(event))).toThrow(/detail\.bucket\.name/);
    expect(() => parseS3EventBridgeMessage('not json')).toThrow(/body: is not JSON/);
  });
});

describe('notificationToEventBridge', () => {
  it('turns an S3 notification record into the EventBridge event, decoding the key', () => {
    // Prepare
    const record = s3NotificationRecordSchema.parse(
      s3NotificationRecord({ key: 'raw/my+photo%281%29.jpg' }),
    );

    // Act
    const event = parseS3EventBridgeMessage(
      JSON.stringify(notificationToEventBridge(record, { keyEncoding: 'url' })),
    );

    // Assess
    expect(event).toMatchObject({
      type: 'created',
      bucket: 'amzn-s3-demo-bucket',
      key: 'raw/my photo(1).jpg',
      sequencer: '0055AED6DCD90281E5',
      size: 1024,
    });
  });

  it('keeps a raw key exactly as the local S3 server writes it', () => {
    // Prepare
    const keys = ['a+b=c.txt', '100%.txt', '50%off.txt', 'a%2Fb.txt', 'sp ace.txt'];

    // Act
    const converted = keys.map(
      (key) =>
        parseS3EventBridgeMessage(
          JSON.stringify(
            notificationToEventBridge(
              s3NotificationRecordSchema.parse(s3NotificationRecord({ key })),
              { keyEncoding: 'raw', id: 'evt-1' },
            ),
          ),
        ).key,
    );

    // Assess
    expect(converted).toEqual(keys);
  });

  it('refuses a URL-encoded key that is not valid encoding, naming the field', () => {
    // Prepare
    const record = s3NotificationRecordSchema.parse(s3NotificationRecord({ key: '50%off.txt' }));

    // Act / Assess
    expect(() => notificationToEventBridge(record, { keyEncoding: 'url' })).toThrow(
      /s3\.object\.key: "50%off.txt" is not URL-encoded/,
    );
  });

  it('maps removals to Object Deleted', () => {
    const record = s3NotificationRecordSchema.parse(
      s3NotificationRecord({ eventName: 'ObjectRemoved:Delete' }),
    );
    expect(notificationToEventBridge(record, { keyEncoding: 'url' })['detail-type']).toBe(
      'Object Deleted',
    );
  });
});
