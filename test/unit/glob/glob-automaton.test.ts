import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob } from '../../../lambdas/core/glob/glob.js';
import { GlobAutomaton } from '../../../lambdas/core/glob/glob-automaton.js';
import { parseGlob } from '../../../lambdas/core/glob/glob-parser.js';
import { isLinearRegex, toRegexSource } from '../../../lambdas/core/glob/glob-regex.js';
import { TriggerIndex } from '../../../lambdas/core/glob/trigger-index.js';
import { type GlobSketch, globSketch, keysFor } from './glob-arbitraries.js';
import { oracleMatches } from './glob-oracle.js';

const automatonOf = (pattern: string) => new GlobAutomaton(parseGlob(pattern));
const regexOf = (pattern: string) => new RegExp(`^${toRegexSource(parseGlob(pattern))}$`, 'su');

describe('GlobAutomaton', () => {
  const cases = globSketch.chain((sketch) => keysFor([sketch]).map((keys) => ({ sketch, keys })));

  it('agrees with the oracle on every generated pattern and key', () => {
    fc.assert(
      fc.property(cases, ({ sketch, keys }) => {
        // Act
        const automaton = automatonOf(sketch.text);

        // Assess
        for (const key of keys) {
          expect(automaton.test(key), key).toBe(oracleMatches(sketch.text, key));
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('agrees with the RegExp path on every generated pattern and key', () => {
    fc.assert(
      fc.property(cases, ({ sketch, keys }) => {
        // Act
        const automaton = automatonOf(sketch.text);
        const regex = regexOf(sketch.text);

        // Assess
        for (const key of keys) expect(automaton.test(key), key).toBe(regex.test(key));
      }),
      { numRuns: 2_000 },
    );
  });

  it('agrees with the oracle on long patterns, long literals and long repetitive keys', () => {
    // Prepare: literals longer than one step, patterns of more nodes than one 32-bit word holds,
    // and keys long enough to wrap the ring of offsets many times; most sampled keys match
    const repeat = (random: () => number, text: string) => text.repeat(Math.floor(random() * 4));
    const parts: GlobSketch[] = [
      { text: 'abab', sample: () => 'abab' },
      { text: 'b/', sample: () => 'b/' },
      { text: '*', sample: (random) => repeat(random, 'ab') },
      { text: '**', sample: (random) => repeat(random, 'a/b') },
      { text: '?', sample: () => 'a' },
      { text: '[!b]', sample: () => 'a' },
      { text: '{abab,a,}', sample: (random) => ['abab', 'a', ''][Math.floor(random() * 3)] ?? '' },
    ];
    const long = fc.array(fc.constantFrom(...parts), { minLength: 1, maxLength: 40 }).map(
      (list): GlobSketch => ({
        text: list.map((part) => part.text).join(''),
        sample: (random) => list.map((part) => part.sample(random)).join(''),
      }),
    );
    const cases = long.chain((sketch) => keysFor([sketch]).map((keys) => ({ sketch, keys })));

    fc.assert(
      fc.property(cases, ({ sketch, keys }) => {
        // Act
        const automaton = automatonOf(sketch.text);

        // Assess
        for (const key of keys) {
          expect(automaton.test(key), key).toBe(oracleMatches(sketch.text, key));
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('reads keys by code point like the RegExp path, astral characters and lone surrogates included', () => {
    // Prepare: the oracle compares code units, so the RegExp's `u` flag is the reference here
    const patterns = [
      '**\uDE00',
      '\uD83D**',
      '😀*',
      '*😀',
      '?😀',
      '😀?',
      '[😀-😂]*',
      'a{😀,\uD83D}',
      'a\uD83D*',
      '*\uDE00*',
      '[!a]*?',
      '{\uD83D,x}*?',
    ];
    const keys = [
      '😀',
      '\uD83D',
      '\uDE00',
      'a😀',
      '😀a',
      '😁b',
      'a\uD83D',
      '\uD83Dx\uDE00',
      'a😀😀',
    ];

    for (const pattern of patterns) {
      // Act
      const automaton = automatonOf(pattern);
      const regex = regexOf(pattern);

      // Assess
      for (const key of keys)
        expect(automaton.test(key), `${pattern} ${key}`).toBe(regex.test(key));
    }
  });

  it('matches the empty key only when the pattern can match nothing', () => {
    // Act
    const results = ['**', '*', '{a,}', '{,**}', '?', 'a', 'a*'].map((p) =>
      automatonOf(p).test(''),
    );

    // Assess
    expect(results).toEqual([true, true, true, true, false, false, false]);
  });
});

describe('isLinearRegex', () => {
  const table: Array<[string, boolean, string]> = [
    ['**.csv', true, 'one wildcard'],
    ['teams/a/**', true, 'one trailing wildcard'],
    ['**/*.tif', true, 'a * after a slash stays in its folder'],
    ['*/*/*.md', true, 'each * in its own folder'],
    ['data/**/raw/*.csv', true, 'a slash anywhere between the wildcards'],
    ['exports/x/{daily,hourly}/*.parquet', true, 'a few brace paths'],
    ['**.{tif,tiff}', true, 'braces of literals after one wildcard'],
    ['{*,**}x', true, 'one wildcard on each path'],
    ['a/b.txt', true, 'no wildcard'],
    ['*a*b', false, 'two * in one folder'],
    ['**a**b', false, 'two ** anywhere'],
    ['**/**', false, 'a ** after a slash still crosses folders'],
    ['*/**', false, 'a ** after a * crosses folders'],
    ['**.*', false, 'no slash between the wildcards'],
    ['*?*', false, 'fixed-width nodes do not separate'],
    ['{a/,b}*x*', false, 'one path without the slash'],
    ['*{*,a}', false, 'a wildcard inside braces counts on its path'],
    ['{a,b}{a,b}{a,b}{a,b}{a,b}', false, 'more brace paths than trusted'],
  ];
  it.each(table)('classifies %s as %s (%s)', (pattern, expected) => {
    // Act
    const linear = isLinearRegex(parseGlob(pattern));

    // Assess
    expect(linear).toBe(expected);
  });
});

describe('compileGlob and TriggerIndex on patterns that backtrack catastrophically', () => {
  const pathological = ['*a*a*a*a*a*a*b', '**a**a**a**a**b'];

  // The timeout is a hang guard, not a timing assertion: a backtracking RegExp would not finish these.
  it('returns false for a 1,024-character repetitive key', { timeout: 5_000 }, () => {
    // Prepare: besides `aaaa…`, keys that pass the literal-suffix check, so the whole key is walked
    const cases: Array<[string, string]> = [
      ['*a*a*a*a*a*a*b', 'a'.repeat(1_024)],
      ['**a**a**a**a**b', 'a'.repeat(1_024)],
      ['*a*a*a*a*a*a*b', `${'a'.repeat(1_022)}/b`],
      ['**a**a**a**a**[b]', 'a'.repeat(1_024)],
      [`${'{a,a}'.repeat(40)}b`, `${'a'.repeat(1_023)}b`],
    ];

    // Act
    const compiled = cases.map(([pattern, key]) => compileGlob(pattern).test(key));
    const indexed = cases.map(([pattern, key]) =>
      new TriggerIndex([{ pattern, value: 0 }]).match(key),
    );

    // Assess
    expect(compiled).toEqual(cases.map(() => false));
    expect(indexed).toEqual(cases.map(() => []));
  });

  it('still matches the keys that do match', { timeout: 5_000 }, () => {
    // Prepare
    const key = `${'a'.repeat(1_023)}b`;
    const index = new TriggerIndex(pathological.map((pattern, value) => ({ pattern, value })));

    // Act
    const compiled = pathological.map((pattern) => compileGlob(pattern).test(key));
    const indexed = index.match(key);

    // Assess
    expect(compiled).toEqual([true, true]);
    expect(indexed).toEqual([0, 1]);
  });
});
