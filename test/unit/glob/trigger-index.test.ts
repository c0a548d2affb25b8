import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidGlobError } from '../../../lambdas/core/glob/errors.js';
import { compileGlob } from '../../../lambdas/core/glob/glob.js';
import { TriggerIndex } from '../../../lambdas/core/glob/trigger-index.js';
import { type GlobSketch, globSketch, keysFor } from './glob-arbitraries.js';

function bruteForce(patterns: readonly string[], key: string): number[] {
  return patterns.flatMap((pattern, i) => (compileGlob(pattern).test(key) ? [i] : []));
}

describe('TriggerIndex', () => {
  it('returns every matching trigger in insertion order', () => {
    // Prepare
    const index = new TriggerIndex([
      { pattern: '**.csv', value: 'any-csv' },
      { pattern: 'incoming/*', value: 'incoming' },
      { pattern: 'incoming/*.json', value: 'incoming-json' },
      { pattern: '*', value: 'root' },
      { pattern: '**', value: 'everything' },
      { pattern: 'incoming/**', value: 'incoming-deep' },
    ]);

    // Act
    const matched = index.match('incoming/a.csv');

    // Assess
    expect(matched).toEqual(['any-csv', 'incoming', 'everything', 'incoming-deep']);
  });

  it('returns each trigger of a repeated pattern, interleaved with others by insertion', () => {
    // Prepare
    const index = new TriggerIndex<number>()
      .add('a/*', 0)
      .add('**', 1)
      .add('a/*', 2)
      .add('a/b', 3)
      .add('a/*', 4);

    // Act
    const matched = index.match('a/b');

    // Assess
    expect(matched).toEqual([0, 1, 2, 3, 4]);
    expect(index.size).toBe(5);
  });

  it('finds patterns filed by prefix, suffix, slash count and in the unindexed list', () => {
    // Prepare: one pattern per filing route
    const index = new TriggerIndex([
      { pattern: '{raw,cooked}/**', value: 'prefix' },
      { pattern: '**.{tif,tiff}', value: 'suffix' },
      { pattern: '{*,*/*}', value: 'slash-count' },
      { pattern: '{a,**}', value: 'unindexed' },
    ]);

    // Act
    const results = ['cooked/x.tif', 'raw/y.tiff', 'x/y', 'a', 'x/y/z'].map((key) =>
      index.match(key),
    );

    // Assess
    expect(results).toEqual([
      ['prefix', 'suffix', 'slash-count', 'unindexed'],
      ['prefix', 'suffix', 'slash-count', 'unindexed'],
      ['slash-count', 'unindexed'],
      ['slash-count', 'unindexed'],
      ['unindexed'],
    ]);
  });

  it('returns nothing when no trigger matches, or when it holds no trigger', () => {
    // Prepare
    const index = new TriggerIndex([{ pattern: 'teams/*/**.tif', value: 1 }]);

    // Act
    const results = [index.match('teams/a.tif'), new TriggerIndex().match('x')];

    // Assess
    expect(results).toEqual([[], []]);
  });

  it('agrees with brute force on astral characters and lone surrogates', () => {
    // Prepare: a lone surrogate in a pattern never matches half of a pair
    const patterns = [
      '**\uDE00',
      '\uD83D**',
      '😀*',
      '*😀',
      '?😀',
      '😀?',
      '[😀-😂]*',
      'a{😀,\uD83D}',
    ];
    const index = new TriggerIndex(patterns.map((pattern, value) => ({ pattern, value })));
    const keys = ['😀', '\uD83D', '\uDE00', 'a😀', '😀a', '😁b', 'a\uD83D', '\uD83Dx\uDE00'];

    // Act
    const results = keys.map((key) => index.match(key));

    // Assess
    expect(results).toEqual(keys.map((key) => bruteForce(patterns, key)));
    expect(results.flat().length).toBeGreaterThan(0);
  });

  it('rejects an invalid pattern with InvalidGlobError', () => {
    expect(() => new TriggerIndex([{ pattern: 'data/{a,b', value: 1 }])).toThrow(InvalidGlobError);
  });

  it('returns the same triggers as testing every pattern (brute force)', () => {
    // Prepare: realistic affixes next to the dialect's full alphabet, with repeats
    const realistic = fc.constantFrom<GlobSketch>(
      ...[
        'teams/a/**',
        'teams/a/*/x.tif',
        'teams/**.tif',
        'teams/{a,b}/*',
        '**/*.tif',
        '**.csv',
        '*.csv',
        'a*.csv',
        'incoming/*.json',
      ].map((text) => ({ text, sample: () => text.replaceAll('*', '').replace(/[{}]|,b/g, '') })),
    );
    const sketches = fc.array(fc.oneof(globSketch, realistic), { maxLength: 25 });
    const cases = sketches.chain((list) => keysFor(list).map((keys) => ({ list, keys })));

    fc.assert(
      fc.property(cases, ({ list, keys }) => {
        const patterns = list.map((sketch) => sketch.text);

        // Act
        const index = new TriggerIndex(patterns.map((pattern, value) => ({ pattern, value })));

        // Assess
        for (const key of keys) expect(index.match(key), key).toEqual(bruteForce(patterns, key));
      }),
      { numRuns: 1_000 },
    );
  });
});
