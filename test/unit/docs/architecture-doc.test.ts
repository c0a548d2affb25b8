import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DOC = join(ROOT, 'docs/architecture.md');

/** Paths in backticks that name a file or folder of the repository, e.g. `lambdas/core/ports/`. */
function namedPaths(text: string): string[] {
  const quoted = [...text.matchAll(/`([^`\s]+)`/g)].map((match) => match[1] ?? '');
  return quoted.filter((path) => /^(lambdas|lib|bin|test|docs|bench|scripts)\//.test(path));
}

/** Relative links of the page, e.g. `(data-model.md)`. */
function linkedPages(text: string): string[] {
  return [...text.matchAll(/\]\(([^)#:\s]+)\)/g)].map((match) => match[1] ?? '');
}

describe('docs/architecture.md', () => {
  const text = readFileSync(DOC, 'utf8');

  it('names only files and folders that exist', () => {
    const paths = namedPaths(text);
    // The page walks two paths through some 50 files; far fewer means the pattern broke.
    expect(paths.length).toBeGreaterThan(40);
    expect(paths.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });

  it('links only pages that exist', () => {
    const links = linkedPages(text);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((link) => !existsSync(join(dirname(DOC), link)))).toEqual([]);
  });
});
