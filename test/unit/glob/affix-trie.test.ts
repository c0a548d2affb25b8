import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AffixTrie } from '../../../lambdas/core/glob/affix-trie.js';

const text = fc
  .array(fc.constantFrom('a', 'b', '/', '.'), { maxLength: 6 })
  .map((chars) => chars.join(''));

describe('AffixTrie', () => {
  it.each([
    [false, 'prefix', (key: string, affix: string) => key.startsWith(affix)],
    [true, 'suffix', (key: string, affix: string) => key.endsWith(affix)],
  ])(
    'returns the bucket of every stored %s affix (%s) of a key, shortest first',
    (fromEnd, _, isAffix) => {
      fc.assert(
        fc.property(fc.uniqueArray(text, { maxLength: 12 }), fc.array(text), (affixes, keys) => {
          // Prepare: each affix's bucket holds the affix itself
          const trie = new AffixTrie<string>(fromEnd);
          for (const affix of affixes) trie.bucket(affix).push(affix);

          for (const key of keys) {
            // Act
            const buckets: Array<readonly string[]> = [];
            trie.bucketsOf(key, buckets);

            // Assess
            const expected = affixes
              .filter((affix) => isAffix(key, affix))
              .sort((a, b) => a.length - b.length);
            expect(buckets, key).toEqual(expected.map((affix) => [affix]));
          }
        }),
        { numRuns: 500 },
      );
    },
  );

  it('returns the same bucket for the same affix, across edge splits', () => {
    // Prepare
    const trie = new AffixTrie<number>(false);
    const first = trie.bucket('teams/alpha/');
    trie.bucket('teams/beta/');
    trie.bucket('teams/');

    // Act
    const again = trie.bucket('teams/alpha/');

    // Assess
    expect(again).toBe(first);
  });
});
