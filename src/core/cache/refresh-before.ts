/**
 * `refresh_before`: the time before which a cached tile counts as stale (MapProxy
 * `seed/config.py` `before_timestamp_from_options`, compared as `int(mtime) <= limit`).
 */
import { stat } from 'node:fs/promises';
import { CacheError } from './errors.js';

/** The YAML shape: exactly one of `time`, `mtime` or any of the relative fields. */
export interface RefreshBefore {
  /** `YYYY-MM-DDTHH:MM:SS` in local time (Python `strptime` + `mktime`), or a parsed Date. */
  readonly time?: string | Date | undefined;
  /** A file whose modification time is the limit (resolved against the config dir by app/). */
  readonly mtime?: string | undefined;
  readonly weeks?: number | undefined;
  readonly days?: number | undefined;
  readonly hours?: number | undefined;
  readonly minutes?: number | undefined;
  readonly seconds?: number | undefined;
}

const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

/** Parses `YYYY-MM-DDTHH:MM:SS` as local time, to seconds. Throws `CacheError` otherwise. */
export function parseRefreshTime(time: string | Date): number {
  if (time instanceof Date) return Math.floor(time.getTime() / 1000);
  const m = ISO_LOCAL.exec(time);
  if (m === null) {
    throw new CacheError(`can't parse time '${time}'. should be ISO time string`, 'CACHE_INVALID_OPTION');
  }
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  // Date rolls over (2020-13-45T99:00:00 became 2021-02-18T03:00:00); strptime refuses what is
  // out of range (%S goes up to 61). Checked on the fields, not by a round trip through local
  // time, which a DST gap would fail where mktime accepts.
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 61) {
    throw new CacheError(
      `can't parse time '${time}': no such date or time (month 1-12, a day of that month, hours 0-23)`,
      'CACHE_INVALID_OPTION',
    );
  }
  return new Date(y, mo - 1, d, h, mi, s).getTime() / 1000;
}

/**
 * The limit in seconds since the epoch: tiles whose truncated mtime (s) is `<=` it are stale.
 * Relative limits count back from `nowMs`. Rejects with `CacheError` (`CACHE_INVALID_OPTION`)
 * for an unparsable time or an unreadable `mtime` file.
 */
export async function refreshLimitSeconds(conf: RefreshBefore, nowMs: number): Promise<number> {
  if (conf.time !== undefined) return parseRefreshTime(conf.time);
  if (conf.mtime !== undefined) {
    try {
      return (await stat(conf.mtime)).mtimeMs / 1000;
    } catch (error) {
      throw new CacheError(
        `can't parse last modified time from file '${conf.mtime}'.`,
        'CACHE_INVALID_OPTION',
        {
          cause: error,
          path: conf.mtime,
        },
      );
    }
  }
  const seconds =
    (conf.weeks ?? 0) * 7 * 86400 +
    (conf.days ?? 0) * 86400 +
    (conf.hours ?? 0) * 3600 +
    (conf.minutes ?? 0) * 60 +
    (conf.seconds ?? 0);
  // whole seconds, as MapProxy's timestamp_before (mktime of a timetuple): it printed
  // 'tiles older than 2026-12-06 17:17:02' where we printed 17:17:03.687000 (seeding
  // differential --more, seed 17); isStale's int(timestamp) <= limit is the same either way
  return Math.floor(nowMs / 1000 - seconds);
}

/** MapProxy's staleness test: `int(timestamp) <= limit` with the timestamp in seconds. */
export function isStale(timestampMs: number, limitSeconds: number): boolean {
  return Math.trunc(timestampMs / 1000) <= limitSeconds;
}
