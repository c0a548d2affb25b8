// Builds the package into dist/ (run by `npm run build` and by `prepack`): the TypeScript
// sources compiled to ESM JavaScript with .d.ts files, plus the web console's static files,
// which the compiled console server reads from next to itself. bin/app.ts, the repository's own
// CDK app (it runs cdk-nag, a dev dependency), is not part of the package.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

// A stale file from a renamed module would otherwise ship and stay importable.
rmSync(dist, { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

const consoleDir = join('bin', 'dev', 'console');
for (const name of readdirSync(join(root, consoleDir))) {
  if (/\.(html|css|js)$/.test(name)) {
    cpSync(join(root, consoleDir, name), join(dist, consoleDir, name));
  }
}
chmodSync(join(dist, 'bin', 'bucketflow.js'), 0o755);
