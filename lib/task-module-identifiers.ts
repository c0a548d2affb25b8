import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildSync } from 'esbuild';
import { BUNDLE_OPTIONS, SDK_TASK_MODULES } from './bundling.js';

/**
 * The identifiers (`Name@vX.Y`) of the task classes that `files` export (the
 * rule of `taskClassesOf`), read at synth: esbuild bundles a script that
 * imports them, as the runner's bundle does, and a child Node process prints
 * what it found. Synth needs them because a Lambda runner is fed by one queue
 * per task name and major version, and its event source mappings are part of
 * the template.
 *
 * @throws Error with the child's message when a module fails to load or exports no task class.
 * @example
 * ```ts
 * taskIdentifiersOfModules(['/app/src/tasks.ts']); // ['Resize@v1.2', 'Thumbnail@v0.0']
 * ```
 */
export function taskIdentifiersOfModules(files: readonly string[]): string[] {
  const cwd = process.cwd();
  const imports = files.map((file, index) => `import * as m${index} from ${JSON.stringify(file)};`);
  const list = files.map((file, index) => `[${JSON.stringify(relative(cwd, file))}, m${index}]`);
  const contents = [
    `import { taskClassesOfModules } from ${JSON.stringify(SDK_TASK_MODULES.modules)};`,
    `import { identifierOf } from ${JSON.stringify(SDK_TASK_MODULES.task)};`,
    ...imports,
    `const ids = taskClassesOfModules([${list.join(', ')}]).map((cls) => identifierOf(cls));`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the generated script's own template literal
    'process.stdout.write(JSON.stringify(ids.map((id) => `${id.name}@${id.version}`)));',
    '',
  ].join('\n');
  const dir = mkdtempSync(join(tmpdir(), 'bucketflow-task-ids-'));
  try {
    const outfile = join(dir, 'identifiers.mjs');
    buildSync({
      ...BUNDLE_OPTIONS,
      minify: false,
      sourcemap: false,
      stdin: { contents, resolveDir: cwd, sourcefile: 'identifiers.mjs', loader: 'js' },
      outfile,
    });
    const output = execFileSync(process.execPath, [outfile], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(output) as string[];
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new Error(
      `bucketflow: reading the task classes of ${files.join(', ')} failed: ${String(stderr || (error as Error).message).trim()}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
