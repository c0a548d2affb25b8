import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/core/errors.js';
import { InvalidGlobError } from '../../../lambdas/core/glob/errors.js';
import { compileGlob, matchesGlob, validateGlob } from '../../../lambdas/core/glob/glob.js';

describe('compileGlob', () => {
  // The dialect's defining table: [pattern, key, matches].
  const table: Array<[string, string, boolean]> = [
    ['*.ext', 'a.ext', true],
    ['*.ext', 'x/a.ext', false],
    ['**/*.ext', 'a.ext', false],
    ['**/*.ext', 'x/a.ext', true],
    ['**/*.ext', 'x/y/a.ext', true],
    ['**.ext', 'a.ext', true],
    ['**.ext', 'x/a.ext', true],
    ['**.ext', 'x/y/a.ext', true],
    ['folder/*', 'folder/a', true],
    ['folder/*', 'folder/a/b', false],
    ['folder/*', 'other/a', false],
    ['folder/**', 'folder/a', true],
    ['folder/**', 'folder/a/b/c', true],
    ['folder/**', 'folderx/a', false],
    ['[a-z].txt', 'a.txt', true],
    ['[a-z].txt', 'q.txt', true],
    ['[a-z].txt', 'ab.txt', false],
  ];
  it.each(table)('matches %s against %s as %s', (pattern, key, expected) => {
    // Act
    const matched = compileGlob(pattern).test(key);

    // Assess
    expect(matched).toBe(expected);
  });

  const dialect: Array<[string, string, boolean, string]> = [
    ['*', '.hidden', true, 'a leading dot is an ordinary character'],
    ['*.csv', 'a.CSV', false, 'matching is case-sensitive'],
    ['a**b', 'a/x/y/b', true, '** matches across slashes anywhere'],
    ['a**b', 'ab', true, '** matches the empty run'],
    ['data/**/raw/*.csv', 'data/raw/a.csv', false, '**/ between slashes needs a folder'],
    ['data/**/raw/*.csv', 'data/2024/01/raw/a.csv', true, '**/ spans several folders'],
    ['folder/**', 'folder/', true, '** after a slash matches the empty run'],
    ['?', '/', false, '? never matches a slash'],
    ['?', 'é', true, '? matches one code point'],
    ['x?', 'x😀', true, '? matches an astral code point whole'],
    ['[!a]', '/', false, 'a negated class never matches a slash'],
    ['[^a]', 'b', true, '^ negates like !'],
    ['[+-0]', '/', false, 'a range spanning / still excludes it'],
    ['[+-0]', '.', true, 'a range spanning / keeps its other members'],
    ['[a-]', '-', true, 'a trailing - is literal'],
    ['[\\]]', ']', true, 'an escaped ] is a member'],
    ['{a,b}.txt', 'b.txt', true, 'braces choose an alternative'],
    ['{a,b/**}', 'b/c/d', true, 'alternatives hold wildcards and **'],
    ['{a,{b,c}d}', 'cd', true, 'braces nest'],
    ['x{a}y', 'xay', true, 'a single-alternative brace is that alternative'],
    ['x{a}y', 'x{a}y', false, 'a single-alternative brace is not literal'],
    ['x{}y', 'xy', true, 'empty braces match the empty run'],
    ['x{a,}y', 'xy', true, 'an empty alternative matches the empty run'],
    ['*{*,a}', 'b/a', false, 'asterisks meeting through a brace stay single'],
    ['a}b]', 'a}b]', true, 'stray closers are literal'],
    ['a,b', 'a,b', true, 'a comma outside braces is literal'],
    ['\\*\\?\\[\\{', '*?[{', true, 'escapes make wildcards literal'],
    ['a.b', 'axb', false, 'a dot is literal'],
    ['(a|b)+', '(a|b)+', true, 'RegExp syntax is literal'],
    ['a*', 'a\nb', true, '* crosses a line break'],
    ['data/*.csv', 'data/a.csv/', false, 'keys are matched whole, no trailing slash allowance'],
  ];
  it.each(dialect)('matches %s against %j as %s (%s)', (pattern, key, expected) => {
    // Act
    const matched = compileGlob(pattern).test(key);

    // Assess
    expect(matched).toBe(expected);
  });

  const affixes: Array<[string, string, string]> = [
    ['data/**/raw/*.csv', 'data/', '.csv'],
    ['**.csv', '', '.csv'],
    ['folder/*', 'folder/', ''],
    ['exports/x/{a,b}/*.parquet', 'exports/x/', '.parquet'],
    ['a/b.txt', 'a/b.txt', 'a/b.txt'],
    ['\\*lit\\?/*', '*lit?/', ''],
    ['x{a}y*', 'xay', ''],
    ['*', '', ''],
  ];
  it.each(affixes)('gives %s the literal prefix %j and suffix %j', (pattern, prefix, suffix) => {
    // Act
    const glob = compileGlob(pattern);

    // Assess
    expect([glob.literalPrefix, glob.literalSuffix]).toEqual([prefix, suffix]);
  });

  it('keeps the pattern and an anchored regex on the compiled glob', () => {
    // Act
    const glob = compileGlob('a/*');

    // Assess
    expect(glob.pattern).toBe('a/*');
    expect(glob.regex.test('a/b')).toBe(true);
    expect(glob.regex.test('x/a/b')).toBe(false);
  });

  it('tests keys the same way when test is detached from the glob', () => {
    // Prepare
    const { test } = compileGlob('a/*');

    // Act
    const results = ['a/b', 'a/b/c'].map(test);

    // Assess
    expect(results).toEqual([true, false]);
  });
});

describe('matchesGlob', () => {
  it('compiles and tests in one call', () => {
    expect([matchesGlob('**.csv', 'a/b.csv'), matchesGlob('*.csv', 'a/b.csv')]).toEqual([
      true,
      false,
    ]);
  });
});

describe('validateGlob', () => {
  // [pattern, position, words the message must hold]
  const invalid: Array<[string, number, string]> = [
    ['', 0, 'empty pattern'],
    ['data/[a-z', 5, "unclosed '['"],
    ['[a', 0, "unclosed '['"],
    ['{a,[b}', 3, "unclosed '['"],
    ['a{b,c', 1, "unclosed '{'"],
    ['{a,{b}', 0, "unclosed '{'"],
    ['x/{a,b', 2, "unclosed '{'"],
    ['abc\\', 3, "trailing '\\'"],
    ['[a\\', 2, "trailing '\\'"],
    ['x[]', 1, "empty class '[]'"],
    ['x[!]', 1, "empty class '[!]'"],
    ['[]]', 0, "empty class '[]'"],
    ['ab[z-a]', 3, "reversed range 'z-a'"],
    ['[abz-a]', 3, "reversed range 'z-a'"],
    ['a[/b]', 2, "'/' inside a class"],
    ['[!a-c/]', 5, "'/' inside a class"],
    ['[[:digit:]]', 1, 'POSIX character classes'],
  ];
  it.each(invalid)('rejects %j at position %i (%s)', (pattern, position, words) => {
    // Act
    const error = thrownBy(() => validateGlob(pattern));

    // Assess
    expect(error).toBeInstanceOf(InvalidGlobError);
    expect(error).toBeInstanceOf(ValidationError);
    const invalidGlob = error as InvalidGlobError;
    expect(invalidGlob.position).toBe(position);
    expect(invalidGlob.pattern).toBe(pattern);
    expect(invalidGlob.message).toContain(`glob '${pattern}': ${words}`);
    expect(invalidGlob.message).toContain(`at position ${position} (`);
  });

  it('names the fault, the position and the fix in the message, with a caret pointer', () => {
    // Act
    const error = thrownBy(() => validateGlob('data/[a-z')) as InvalidGlobError;

    // Assess
    expect(error.message).toBe(
      "glob 'data/[a-z': unclosed '[' at position 5 (close it with ']' or escape it as '\\[')",
    );
    expect(error.pointer).toBe('  data/[a-z\n       ^');
  });

  it('suggests the range the right way round', () => {
    expect(() => validateGlob('[z-a]')).toThrow("(write it as 'a-z')");
  });

  it('accepts stray closers, escapes and nested braces', () => {
    for (const pattern of ['a]', 'a}', '\\[', '\\\\', '{a,{b,c}}', '{}', '[\\]]', '**']) {
      expect(() => validateGlob(pattern), pattern).not.toThrow();
    }
  });
});

function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('pattern length', () => {
  it('rejects a pattern longer than the longest S3 key', () => {
    // Prepare
    const long = `${'a'.repeat(1020)}/*.tif`;

    // Act / Assess
    expect(() => compileGlob(long)).toThrow(/1026 characters long, more than 1024/);
    expect(() => compileGlob('a'.repeat(1024))).not.toThrow();
  });
});
