/**
 * `mapproxy-util grids`: lists the grids of a configuration with their settings, resolutions
 * and tile counts, printing what MapProxy 1.15 prints. Exit 2 for config errors, 1 for unknown names.
 */
import { resolve } from 'node:path';
import { Args, Command, Flags } from '@oclif/core';
import {
  ToolsError,
  ConfigError,
  ConfigErrors,
  describeGrids,
  formatConfigProblem,
  formatGridsReport,
  type ConfigWarning,
  type GridsReport,
} from '../core/index.js';

export default class Grids extends Command {
  static override summary = 'Show the tile grids of a configuration: settings, resolutions and tile counts.';
  static override description =
    'Prints each grid with its configuration (values MapProxy fills in are marked with *) and one line ' +
    'per level: resolution, tiles in x and y and their total. Without --all only grids used by caches are ' +
    'shown. With --seed-conf and --coverage-name it also estimates the tiles within a bbox coverage. ' +
    'Output matches MapProxy 1.15 `mapproxy-util grids`; configuration warnings go to stderr.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> -f mapproxy.yaml',
    '<%= config.bin %> <%= command.id %> --all -l mapproxy.yaml',
    '<%= config.bin %> <%= command.id %> -f mapproxy.yaml -g GLOBAL_WEBMERCATOR',
    '<%= config.bin %> <%= command.id %> -f mapproxy.yaml -s seed.yaml -c germany',
  ];
  static override args = {
    config: Args.string({ description: 'the mapproxy.yaml (when -f is not given)' }),
  };
  static override flags = {
    'mapproxy-conf': Flags.string({ char: 'f', description: 'MapProxy configuration' }),
    grid: Flags.string({ char: 'g', description: 'show only this grid (ignoring case)' }),
    all: Flags.boolean({ description: 'also show grids that no cache uses' }),
    list: Flags.boolean({ char: 'l', description: 'list only the names of the grids' }),
    'seed-conf': Flags.string({ char: 's', description: 'seed configuration that defines the coverage' }),
    'coverage-name': Flags.string({
      char: 'c',
      description: 'estimate the number of tiles within this coverage',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Grids);
    const configFile = flags['mapproxy-conf'] ?? args.config;
    if (configFile === undefined) {
      this.logToStderr('ERROR: give a MapProxy configuration with -f mapproxy.yaml (see --help)');
      this.exit(1);
    }
    let report: GridsReport;
    try {
      report = await describeGrids({
        configFile,
        gridName: flags.grid,
        all: flags.all,
        listOnly: flags.list,
        seedFile: flags['seed-conf'],
        coverageName: flags['coverage-name'],
      });
    } catch (error) {
      return this.fail(error);
    }
    this.printWarnings(report.warnings);
    for (const line of formatGridsReport(report)) this.log(line);
  }

  /** MapProxy's messages and exit codes: config problems 2, unknown grid or bad options 1. */
  private fail(error: unknown): never {
    if (error instanceof ConfigErrors) {
      const missing = error.errors.find((e) => e.code === 'CONFIG_FILE_NOT_FOUND');
      if (missing !== undefined) {
        this.logToStderr(`ERROR:  No such file or directory: '${resolve(missing.file)}'`);
        return this.exit(2);
      }
      this.printWarnings(error.warnings);
      for (const problem of error.errors) this.logToStderr(`error: ${problem.format()}`);
      this.logToStderr('ERROR: invalid configuration (see above)');
      return this.exit(2);
    }
    if (error instanceof ConfigError) {
      this.logToStderr(`error: ${error.format()}`);
      this.logToStderr('ERROR: invalid configuration (see above)');
      return this.exit(2);
    }
    if (error instanceof ToolsError) {
      // grids.py prints these two on stdout
      if (error.code === 'TOOLS_UNKNOWN_GRID' || error.code === 'TOOLS_OPTION_CONFLICT') this.log(error.message);
      else this.logToStderr(`ERROR: ${error.message}`);
      return this.exit(1);
    }
    throw error;
  }

  private printWarnings(warnings: readonly ConfigWarning[]): void {
    for (const warning of warnings) this.logToStderr(`warning: ${formatConfigProblem(warning)}`);
  }
}
