/**
 * `globals.srs.proj_data_dir`: a directory of PROJ data (NTv2 datum grids such as BETA2007.gsb)
 * searched before the standard ones, as MapProxy sets PROJ's search path to it.
 */
import { statSync } from 'node:fs';
import { configErrorAt, type ConfigError, type LoadedConfig } from '../config/index.js';
import { useProjDataDir } from '../srs/index.js';

/** The problem with the configured directory, for `check` and the build alike. */
export function projDataDirProblems(loaded: LoadedConfig): ConfigError[] {
  const dir = loaded.config.globals.srs.proj_data_dir;
  if (dir === undefined || statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true) return [];
  return [
    configErrorAt(
      loaded,
      ['globals', 'srs', 'proj_data_dir'],
      `no such directory: ${dir}`,
      'CONFIG_INVALID_VALUE',
    ),
  ];
}

/** Makes the configured directory the first place datum grids are read from; throws its problem. */
export function useConfiguredProjData(loaded: LoadedConfig): void {
  const [problem] = projDataDirProblems(loaded);
  if (problem !== undefined) throw problem;
  const dir = loaded.config.globals.srs.proj_data_dir;
  if (dir !== undefined) useProjDataDir(dir);
}
