import * as fc from 'fast-check';

// Random Deny statements for the property tests of the decision procedure: an action, one or two resources, and up to
// two conditions, each an operator and key with one of the values offered for it.

/** An operator, a condition key, and the values a statement may compare the key with. */
export type ConditionChoice = readonly [operator: string, key: string, values: readonly unknown[]];

export function denyStatementArb(actions: readonly string[], resources: readonly string[], conditions: readonly ConditionChoice[]) {
  return fc.record({
    Action: fc.constantFrom(...actions),
    Resource: fc.subarray([...resources], { minLength: 1, maxLength: 2 }),
    conditions: fc.subarray([...conditions], { minLength: 0, maxLength: 2 }),
  }).chain(({ Action, Resource, conditions: chosenKeys }) => fc.tuple(
    ...chosenKeys.map(([op, key, values]) => fc.constantFrom(...values).map((v) => [op, key, v] as const)))
    .map((chosen) => {
      const Condition: Record<string, Record<string, unknown>> = {};
      for (const [op, key, v] of chosen) Condition[op] = { ...Condition[op], [key]: v };
      return { Effect: 'Deny', Principal: { AWS: '*' }, Action, Resource, ...(chosen.length > 0 ? { Condition } : {}) };
    }));
}
