import { defineConfig } from 'vitest/config'

const jsonReport = process.env.BROWNOUT_VITEST_JSON

export default defineConfig({
  // Tests import the library as users do; the packed package itself is tested by test/run/pack.test.ts.
  resolve: { alias: [{ find: /^brownout$/, replacement: new URL('./src/index.ts', import.meta.url).pathname }] },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Test files share their worker's module cache (no test mocks modules or timers): importing the sources anew
    // for each of ~90 files cost ~2 minutes of the suite.
    isolate: false,
    // Most tests wait on real time (retry backoffs, client deadlines), not on the CPU: run a few at once.
    maxWorkers: 3,
    maxConcurrency: 4,
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
})
