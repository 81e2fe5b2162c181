/**
 * `globals.srs.proj_data_dir`: a directory of PROJ data (NTv2 datum grids such as BETA2007.gsb)
 * searched before the standard ones, as MapProxy sets PROJ's search path to it.
 */
import { statSync } from 'node:fs';
import { configErrorAt, type LoadedConfig } from '../config/index.js';
import { useProjDataDir } from '../srs/index.js';

/**
 * Makes the configured directory the first place datum grids are read from. Throws `ConfigError`
 * at `globals.srs.proj_data_dir` when it is not a directory (`check` sees it through the build).
 */
export function useConfiguredProjData(loaded: LoadedConfig): void {
  const dir = loaded.config.globals.srs.proj_data_dir;
  if (dir === undefined) return;
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory() !== true) {
    throw configErrorAt(
      loaded,
      ['globals', 'srs', 'proj_data_dir'],
      `no such directory: ${dir}`,
      'CONFIG_INVALID_VALUE',
    );
  }
  useProjDataDir(dir);
}
