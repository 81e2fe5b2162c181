/**
 * How long a response built from stored data stays right: the cache layer hands it up with a tile
 * read from memory, and the server answers the same URL again with the same bytes while it holds.
 */
export interface Freshness {
  /** True while what the response was built from is unchanged and trusted (e.g. within a TTL). */
  isFresh(): boolean;
  /**
   * True once it can never be fresh again (what the response was built from was dropped or
   * replaced): a holder of such responses may let them go without waiting to be asked. Asks
   * nothing of the source and changes nothing.
   */
  isGone?(): boolean;
}
