import { readFile } from 'node:fs/promises';
import { BucketflowError } from '../../lambdas/core/errors.js';

/** Exit code of every command that fails because of its input or arguments. */
export const EXIT_USAGE = 2;

/**
 * Reads the lines of a file, or of stdin when `source` is `-` or absent.
 * Keeps empty lines so that callers can report 1-based line numbers.
 */
export async function readInputLines(source?: string): Promise<string[]> {
  const text =
    source === undefined || source === '-' ? await readStdin() : await readFile(source, 'utf8');
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Prints a value as pretty JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints a message on stderr and ends the process with {@link EXIT_USAGE}. */
export function failUsage(message: string): never {
  process.stderr.write(`bucketflow: ${message}\n`);
  process.exit(EXIT_USAGE);
}

/**
 * Wraps a command action: a {@link BucketflowError} (bad input) or a missing
 * file becomes a one-line message on stderr and exit code 2; anything else is
 * a bug and keeps its stack.
 */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      if (error instanceof BucketflowError) failUsage(error.message);
      if (isMissingFile(error)) failUsage(`cannot read ${error.path}: no such file`);
      throw error;
    }
  };
}

function isMissingFile(error: unknown): error is NodeJS.ErrnoException & { path: string } {
  return (
    error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT' && 'path' in error
  );
}

/** Parses an integer option, naming the option when it is not one. */
export function parseIntegerOption(name: string, min: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      failUsage(`${name}: expected an integer >= ${min}, got '${raw}'`);
    }
    return value;
  };
}
