import { appendFile, mkdir, mkdtemp, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderWatcher } from '../../../bin/dev/folder-watcher.js';
import {
  parseS3EventBridgeMessage,
  type S3EventBridgeEvent,
} from '../../../lambdas/adapters/aws/events/s3-event-parsing.js';
import type { ObjectEvent } from '../../../lambdas/core/events/object-event.js';

const T0 = Date.parse('2026-11-23T10:00:00Z');

describe('FolderWatcher', () => {
  let root: string;
  let inbox: string;
  let sent: ObjectEvent[];
  let failNextSend: boolean;

  const send = async (events: readonly S3EventBridgeEvent[]) => {
    if (failNextSend) {
      failNextSend = false;
      throw new Error('queue unavailable');
    }
    // Through the ingest handler's own parser: the watcher must produce what the queue takes.
    sent.push(...events.map((event) => parseS3EventBridgeMessage(JSON.stringify(event))));
  };

  const watcher = () =>
    new FolderWatcher({
      folders: [{ name: 'inbox', path: inbox }],
      send,
      stateFile: join(root, 'watcher.json'),
      clock: () => T0,
    });

  /** Writes a file with a fixed modification time, so two writes differ only where a test says. */
  const place = async (key: string, body: string, mtimeSeconds: number) => {
    const path = join(inbox, ...key.split('/'));
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, body);
    await utimes(path, mtimeSeconds, mtimeSeconds);
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'bucketflow-watch-'));
    inbox = join(root, 'inbox');
    await mkdir(inbox);
    sent = [];
    failNextSend = false;
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('announces a file once two scans in a row see the same size and time', async () => {
    // Prepare
    const folder = watcher();
    await place('runs/r1/a.txt', 'hello', 1_000);

    // Act
    const first = await folder.scan();
    const second = await folder.scan();
    const third = await folder.scan();

    // Assess
    expect([first, second, third]).toEqual([0, 1, 0]);
    expect(sent).toEqual([
      expect.objectContaining({
        type: 'created',
        bucket: 'inbox',
        key: 'runs/r1/a.txt',
        size: 5,
        time: T0,
      }),
    ]);
  });

  it('waits while a file is still growing', async () => {
    // Prepare
    const folder = watcher();
    await place('big.bin', 'part one', 2_000);
    await folder.scan();

    // Act
    await appendFile(join(inbox, 'big.bin'), ' and part two');
    const whileGrowing = await folder.scan();
    const onceStable = await folder.scan();

    // Assess
    expect([whileGrowing, onceStable]).toEqual([0, 1]);
    expect(sent.map((event) => event.size)).toEqual(['part one and part two'.length]);
  });

  it('announces after a restart only what changed while it was down', async () => {
    // Prepare
    await place('kept.txt', 'same', 3_000);
    await place('changed.txt', 'before', 3_000);
    const before = watcher();
    await before.scan();
    await before.scan();
    sent = [];
    await place('changed.txt', 'after!', 3_500);
    await place('new.txt', 'new', 3_500);

    // Act
    const after = watcher();
    await after.scan();
    await after.scan();

    // Assess
    expect(sent.map((event) => event.key).sort()).toEqual(['changed.txt', 'new.txt']);
  });

  it('gives a file the same sequencer every time it announces it unchanged', async () => {
    // Prepare
    await place('a.txt', 'hello', 4_000);
    const first = watcher();
    await first.scan();
    await first.scan();
    await rm(join(root, 'watcher.json'));

    // Act
    const again = watcher();
    await again.scan();
    await again.scan();

    // Assess
    expect(sent).toHaveLength(2);
    expect(sent[0]?.sequencer).toBe(sent[1]?.sequencer);
  });

  it('announces a deleted file as deleted', async () => {
    // Prepare
    const folder = watcher();
    await place('gone.txt', 'bye', 5_000);
    await folder.scan();
    await folder.scan();

    // Act
    await unlink(join(inbox, 'gone.txt'));
    await folder.scan();

    // Assess
    expect(sent.map((event) => `${event.type}:${event.key}`)).toEqual([
      'created:gone.txt',
      'deleted:gone.txt',
    ]);
  });

  it('announces again at the next scan what a failed send did not deliver', async () => {
    // Prepare
    const folder = watcher();
    await place('a.txt', 'hello', 6_000);
    await folder.scan();
    failNextSend = true;

    // Act
    const failed = folder.scan();
    await expect(failed).rejects.toThrow('queue unavailable');
    const retried = await folder.scan();

    // Assess
    expect(retried).toBe(1);
    expect(sent.map((event) => event.key)).toEqual(['a.txt']);
  });

  it('skips the temporary files of writes in progress', async () => {
    // Prepare
    const folder = watcher();
    await place('a.txt.bucketflow-partial-1234abcd', 'half', 7_000);

    // Act
    await folder.scan();
    const second = await folder.scan();

    // Assess
    expect(second).toBe(0);
  });
});
