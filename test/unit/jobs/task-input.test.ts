import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidTaskInputError } from '../../../lambdas/core/jobs/errors.js';
import {
  MAX_TASK_INPUT_BYTES,
  serializeTaskInput,
  utf8Length,
} from '../../../lambdas/core/jobs/task-input.js';

class Scene {
  constructor(readonly key: string) {}
}

describe('serializeTaskInput', () => {
  it('serializes plain data and counts UTF-8 bytes', () => {
    // Act
    const result = serializeTaskInput({ key: 'ä/b.tif', sizes: [256, 512], ok: true, none: null });

    // Assess
    expect(result.json).toBe('{"key":"ä/b.tif","sizes":[256,512],"ok":true,"none":null}');
    expect(result.bytes).toBe(result.json.length + 1);
  });

  it('leaves out object properties that are undefined, as JSON.stringify does', () => {
    expect(serializeTaskInput({ a: 1, b: undefined }).json).toBe('{"a":1}');
  });

  it('accepts shared references that are not cycles', () => {
    // Prepare
    const shared = { n: 1 };

    // Act
    const result = serializeTaskInput({ left: shared, right: shared });

    // Assess
    expect(result.json).toBe('{"left":{"n":1},"right":{"n":1}}');
  });

  it.each([
    [
      { items: [0, 0, 0, { when: new Date(0) }] },
      'input.items[3].when: a Date is not JSON data (convert it with toISOString())',
    ],
    [{ n: Number.NaN }, 'input.n: NaN is not JSON data'],
    [{ n: Number.POSITIVE_INFINITY }, 'input.n: Infinity is not JSON data'],
    [{ id: 10n }, 'input.id: a bigint is not JSON data'],
    [{ run: () => 1 }, 'input.run: a function is not JSON data'],
    [{ s: Symbol('x') }, 'input.s: a symbol is not JSON data'],
    [{ list: [1, undefined] }, 'input.list[1]: undefined is not JSON data'],
    [{ 'my key': new Map() }, 'input["my key"]: a Map is not JSON data'],
    [{ tags: new Set(['a']) }, 'input.tags: a Set is not JSON data'],
    [
      { bytes: new Uint8Array(2) },
      'input.bytes: a Uint8Array is not JSON data (encode the bytes as a base64 string)',
    ],
    [{ scene: new Scene('a') }, 'input.scene: an instance of Scene is not JSON data'],
    [undefined, 'input: undefined is not JSON data'],
  ])('rejects %o naming the path', (input, message) => {
    // Act
    const act = () => serializeTaskInput(input);

    // Assess
    expect(act).toThrow(InvalidTaskInputError);
    expect(act).toThrow(message);
  });

  it('rejects an array hole', () => {
    // Prepare
    const list: number[] = [];
    list[0] = 1;
    list[2] = 3;

    // Act
    const act = () => serializeTaskInput({ list });

    // Assess
    expect(act).toThrow('input.list[1]: an empty array slot is not JSON data (fill it with null)');
  });

  it('rejects a cycle at the back reference', () => {
    // Prepare
    const node: { next?: unknown } = {};
    node.next = { back: node };

    // Act
    const act = () => serializeTaskInput({ node });

    // Assess
    expect(act).toThrow('input.node.next.back: refers back to a value that contains it (a cycle)');
  });

  it('rejects nesting deeper than 64 levels', () => {
    // Prepare
    let deep: unknown = 1;
    for (let level = 0; level < 65; level++) deep = [deep];

    // Act
    const act = () => serializeTaskInput(deep);

    // Assess
    expect(act).toThrow(/nests deeper than 64 levels/);
  });

  it('accepts exactly the byte limit and rejects one byte more', () => {
    // Prepare: a JSON string literal is its content plus two quotes.
    const fits = 'x'.repeat(MAX_TASK_INPUT_BYTES - 2);

    // Act
    const result = serializeTaskInput(fits);

    // Assess
    expect(result.bytes).toBe(MAX_TASK_INPUT_BYTES);
    expect(() => serializeTaskInput(`${fits}x`)).toThrow(
      'input: is more than 262144 bytes (256 KiB) of JSON',
    );
  });

  it('stops early on shared references that expand past the limit', () => {
    // Prepare: 2^40 leaves if expanded.
    let value: unknown = 'leaf';
    for (let level = 0; level < 40; level++) value = [value, value];

    // Act
    const act = () => serializeTaskInput(value, 'payload');

    // Assess
    expect(act).toThrow(/^payload: is more than 262144 bytes/);
  });

  it('measures exactly the bytes JSON.stringify produces', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        // Act
        const result = serializeTaskInput(value);

        // Assess
        expect(result.json).toBe(JSON.stringify(value));
        expect(result.bytes).toBe(new TextEncoder().encode(result.json).length);
      }),
    );
  });
});

describe('utf8Length', () => {
  it('agrees with TextEncoder on well-formed text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
      }),
    );
  });
});
