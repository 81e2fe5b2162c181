/** Query parameters in MapProxy's order and spelling, shared by the WMS and ArcGIS request builders. */

/**
 * Ordered, case-insensitive parameters like MapProxy's `NoCaseMultiDict`: a key keeps the
 * position and spelling of its first insertion; setting it again replaces the value.
 */
export class QueryParams {
  readonly #entries = new Map<string, { key: string; value: string }>();

  constructor(entries: Iterable<readonly [string, string]> = []) {
    for (const [key, value] of entries) this.set(key, value);
  }

  set(key: string, value: string): void {
    const existing = this.#entries.get(key.toLowerCase());
    if (existing === undefined) this.#entries.set(key.toLowerCase(), { key, value });
    else existing.value = value;
  }

  get(key: string): string | undefined {
    return this.#entries.get(key.toLowerCase())?.value;
  }

  has(key: string): boolean {
    return this.#entries.has(key.toLowerCase());
  }

  delete(key: string): void {
    this.#entries.delete(key.toLowerCase());
  }

  entries(): [string, string][] {
    return [...this.#entries.values()].map(({ key, value }) => [key, value]);
  }
}
