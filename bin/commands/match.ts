import type { Command } from 'commander';
import { InvalidGlobError } from '../../lambdas/core/glob/errors.js';
import { type CompiledGlob, compileGlob } from '../../lambdas/core/glob/glob.js';
import { action, failUsage, printJson, readInputLines } from './cli-io.js';

const DIALECT_HELP = `
Glob dialect (keys are matched whole and case-sensitively):
  *          any run of characters except '/' (a leading dot included)
  **         any run of characters, '/' included; allowed anywhere ('a**b')
  ?          one character except '/'
  [a-z] [!a] one character (never '/') in / not in the class
  {a,b/**}   one of the alternatives; braces nest, {a} is just a
  \\*         a literal '*' (any character can be escaped)

  *.ext       root only              **/*.ext   any folder, not the root
  **.ext      any depth, root too    folder/*   direct children of folder/
  folder/**   everything below folder/

Examples:
  $ bucketflow match '**/*.tif' scenes/a.tif a.tif
  $ aws s3 ls --recursive s3://bucket | awk '{print $4}' | bucketflow match 'raw/**.csv' --json`;

/**
 * Registers `bucketflow match <pattern> [keys...]`, a dry run of a glob
 * trigger: it prints which keys the pattern would fire on.
 *
 * @example
 * ```ts
 * registerMatchCommand(new Command('bucketflow'));
 * ```
 */
export function registerMatchCommand(program: Command): void {
  program
    .command('match')
    .description(
      'test object keys against a glob trigger pattern; prints "match<TAB>key" or\n' +
        '"no-match<TAB>key" per key, in input order (exit code 0 even when nothing matches)',
    )
    .argument('<pattern>', "glob trigger pattern, e.g. 'teams/*/**.tif' (quote it for the shell)")
    .argument(
      '[keys...]',
      'object keys to test; when none are given, read from stdin, one per line',
    )
    .option('--json', 'print a JSON array of {"key", "match"} instead')
    .addHelpText('after', DIALECT_HELP)
    .action(
      action(async (pattern: string, keys: string[], options: { json?: boolean }) => {
        // Compile before reading stdin, so that a bad pattern fails at once.
        const glob = compileOrFail(pattern);
        // An object key is never empty, so blank lines (a trailing one, say) are not keys.
        const input =
          keys.length > 0 ? keys : (await readInputLines()).filter((line) => line !== '');
        const results = input.map((key) => ({ key, match: glob.test(key) }));
        if (options.json) {
          printJson(results);
          return;
        }
        process.stdout.write(
          results.map(({ key, match }) => `${match ? 'match' : 'no-match'}\t${key}\n`).join(''),
        );
      }),
    );
}

function compileOrFail(pattern: string): CompiledGlob {
  try {
    return compileGlob(pattern);
  } catch (error) {
    if (error instanceof InvalidGlobError) failUsage(`${error.message}\n${error.pointer}`);
    throw error;
  }
}
