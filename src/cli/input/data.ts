// Template data: mappings are objects without a prototype, so that a logical ID or key such as `constructor`,
// `toString` or `__proto__` is only ever an own property, and a missing key is always undefined.

/** A mapping of the template. */
export type Mapping = Record<string, unknown>;

/** A new empty mapping, without a prototype. */
export function mapping(): Mapping {
  return Object.create(null) as Mapping;
}

/** Whether a value is a mapping (not a sequence, not null). */
export function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
