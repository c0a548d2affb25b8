import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Property tests and real servers make some tests slower than the 5 s default.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Nothing in a test may reach AWS: fixed fake credentials, no instance metadata look-ups.
    env: {
      AWS_ACCESS_KEY_ID: 'bucketflowtest',
      AWS_SECRET_ACCESS_KEY: 'bucketflowtest',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      // The pinned SDK runs fine on Node 20; its notice about later releases is noise in test output.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // Handlers log and emit metrics through Powertools; tests read results, not stdout.
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/cdk/**/*.test.ts'],
          // A project does not inherit the root's timeouts: CDK synth and esbuild bundling in
          // beforeAll take far longer than vitest's 10 s default on a loaded 2-core machine, and
          // the CLI tests that spawn tsx twice took 46 s under heavy load.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          // CLI tests spawn several tsx processes each: 40 s under `npm run bench` load.
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // npm pack, then the tarball installed into a scratch CDK project: what a user gets.
          name: 'package',
          include: ['test/package/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          // `bucketflow dev` as a child process with its own local servers, and the synthesized
          // cloud assembly run on local servers of its own; no global setup.
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
