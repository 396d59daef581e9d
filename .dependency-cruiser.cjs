/** Import rules checked by `npm run deps` (part of `npm test`): no cycles, type-only imports included. */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: two concepts that each need the other. Move the shared piece to its own module.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'record-is-a-contract',
      severity: 'error',
      comment:
        'The run record (src/record/) is what runner, grader and reports share: it imports none of them (nor the CLI).',
      from: { path: '^src/record/' },
      to: { path: '^src/(run|grade|report|pipeline|cli)/' },
    },
    {
      name: 'scenarios-below-grading',
      severity: 'error',
      comment:
        'A scenario is data the grader reads: src/scenario/ does not import the grader, the runner or the pipeline (expect keys are checked in pipeline/load-scenario.ts).',
      from: { path: '^src/scenario/' },
      to: { path: '^src/(run|grade|report|pipeline|cli)/' },
    },
  ],
  options: {
    // TypeScript 7 has no JavaScript API for dependency-cruiser to parse with; swc reads the sources instead.
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  },
}
