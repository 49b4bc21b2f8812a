import type { MakeBlueprint } from './blueprint-types';

/**
 * A scenario's metadata as Make exports it. Incomplete executions are always off: nothing in
 * these scenarios is ever parked (see build-blueprint.ts for why that matters).
 */
export function scenarioMetadata(kind: {
  instant: boolean;
  sequential: boolean;
}): MakeBlueprint['metadata'] {
  return {
    instant: kind.instant,
    version: 1,
    scenario: {
      roundtrips: 1,
      maxErrors: 3,
      autoCommit: true,
      autoCommitTriggerLast: true,
      sequential: kind.sequential,
      slots: null,
      confidential: false,
      dataloss: false,
      dlq: false,
      freshVariables: false,
    },
    designer: { orphans: [] },
  };
}
