import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidGlobError } from '../../../lambdas/core/glob/errors.js';
import { compileGlob, validateGlob } from '../../../lambdas/core/glob/glob.js';
import { globSketch, keysFor, randomKey } from './glob-arbitraries.js';
import { oracleMatches } from './glob-oracle.js';

describe('compileGlob (properties)', () => {
  it('agrees with the automaton oracle on every generated pattern and key', () => {
    // Prepare
    const cases = globSketch.chain((sketch) => keysFor([sketch]).map((keys) => ({ sketch, keys })));

    fc.assert(
      fc.property(cases, ({ sketch, keys }) => {
        // Act
        const glob = compileGlob(sketch.text);

        // Assess
        for (const key of keys) expect(glob.test(key), key).toBe(oracleMatches(sketch.text, key));
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps the literal prefix and suffix on every matching key', () => {
    fc.assert(
      fc.property(
        globSketch.chain((sketch) => keysFor([sketch]).map((keys) => ({ sketch, keys }))),
        ({ sketch, keys }) => {
          // Act
          const glob = compileGlob(sketch.text);

          // Assess
          for (const key of keys.filter((candidate) => glob.test(candidate))) {
            expect(key.startsWith(glob.literalPrefix)).toBe(true);
            expect(key.endsWith(glob.literalSuffix)).toBe(true);
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('either compiles or throws InvalidGlobError with a position inside the pattern', () => {
    // Prepare: arbitrary text over the dialect's special characters
    const text = fc
      .array(
        fc.constantFrom(
          'a',
          '/',
          '*',
          '?',
          '[',
          ']',
          '{',
          '}',
          ',',
          '!',
          '^',
          '-',
          '\\',
          'z',
          '(',
          '|',
          '$',
          '.',
        ),
        {
          maxLength: 12,
        },
      )
      .map((chars) => chars.join(''));

    fc.assert(
      fc.property(text, randomKey, (pattern, key) => {
        // Act
        let error: unknown;
        try {
          validateGlob(pattern);
        } catch (caught) {
          error = caught;
        }

        // Assess
        if (error === undefined) {
          expect(typeof compileGlob(pattern).test(key)).toBe('boolean');
        } else {
          expect(error).toBeInstanceOf(InvalidGlobError);
          const { position } = error as InvalidGlobError;
          expect(position).toBeGreaterThanOrEqual(0);
          expect(position).toBeLessThanOrEqual(Math.max(0, pattern.length - 1));
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
