/**
 * Deep freezing of loaded configs, so no later stage can change what was validated.
 */

/** Freezes `value` and everything reachable from it; returns it typed as given. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
