import fc from 'fast-check';
import { seeded } from '../../../bench/harness.js';

/** A generated valid glob pattern that can also produce keys likely to match it. */
export interface GlobSketch {
  readonly text: string;
  /** A key built by resolving each wildcard and brace at random; most of them match. */
  sample(random: () => number): string;
}

const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;

const run = (random: () => number, chars: string): string => {
  let text = '';
  for (let n = Math.floor(random() * 4); n > 0; n--) text += pick(random, [...chars]);
  return text;
};

const literal = (text: string, key = text): GlobSketch => ({ text, sample: () => key });
const wildcard = (text: string, sample: (random: () => number) => string): GlobSketch => ({
  text,
  sample,
});

const leaves: GlobSketch[] = [
  literal('a'),
  literal('b'),
  literal('/'),
  literal('.'),
  literal('ab'),
  literal('\\*', '*'),
  literal('\\{', '{'),
  literal(']'),
  literal('}'),
  wildcard('*', (random) => run(random, 'abc.')),
  wildcard('**', (random) => run(random, 'abc./')),
  wildcard('?', (random) => pick(random, [...'abc.'])),
  wildcard('[a-c]', (random) => pick(random, [...'abc'])),
  wildcard('[!a]', (random) => pick(random, [...'bc.'])),
  wildcard('[^.]', (random) => pick(random, [...'abc'])),
  // `+-0` spans '/', which a class must still not match.
  wildcard('[+-0]', () => '.'),
];

const concat = (parts: readonly GlobSketch[]): GlobSketch => ({
  text: parts.map((part) => part.text).join(''),
  sample: (random) => parts.map((part) => part.sample(random)).join(''),
});

const leaf = fc.constantFrom(...leaves);

/** Atoms nest braces at most `depth` deep, so patterns stay small enough to read when a run fails. */
function atom(depth: number): fc.Arbitrary<GlobSketch> {
  if (depth === 0) return leaf;
  // Alternatives may be empty, single (`{a}`) or nested, and hold any atom, `**` included.
  const braces = fc
    .array(fc.array(atom(depth - 1), { maxLength: 3 }).map(concat), { minLength: 1, maxLength: 3 })
    .map((alternatives) => ({
      text: `{${alternatives.map((alternative) => alternative.text).join(',')}}`,
      sample: (random: () => number) => pick(random, alternatives).sample(random),
    }));
  return fc.oneof({ weight: 4, arbitrary: leaf }, { weight: 1, arbitrary: braces });
}

/** Valid patterns over `a b / . * ** ? [a-c] [!a] [^.] [+-0] {…}`, escapes and stray closers. */
export const globSketch: fc.Arbitrary<GlobSketch> = fc
  .array(atom(2), { minLength: 1, maxLength: 7 })
  .map(concat);

/** Keys over `a b c / .` (plus the odd `* { ] }` that escapes and stray closers match). */
export const randomKey: fc.Arbitrary<string> = fc
  .array(fc.constantFrom('a', 'b', 'c', '/', '.', 'a', 'b', '/', '*', '{', ']', '}'), {
    maxLength: 10,
  })
  .map((chars) => chars.join(''));

/** Random keys plus keys sampled from the given patterns, so that matches are common. */
export function keysFor(sketches: readonly GlobSketch[]): fc.Arbitrary<string[]> {
  return fc
    .tuple(fc.array(randomKey, { maxLength: 6 }), fc.array(fc.integer(), { maxLength: 6 }))
    .map(([keys, seeds]) => [
      ...keys,
      ...seeds.flatMap((seed) => {
        // Seeded, so that sampled keys shrink and replay with the seed.
        const random = seeded(seed);
        return sketches.length === 0 ? [] : [pick(random, sketches).sample(random)];
      }),
    ]);
}
