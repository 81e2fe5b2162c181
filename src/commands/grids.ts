/**
 * `mapproxy-util grids`: lists the grids of a configuration with their settings, resolutions
 * and tile counts, printing what MapProxy 1.15 prints. Exit 2 for config errors, 1 for unknown names.
 */
import { Args, Command, Flags } from '@oclif/core';
import {
  CliError,
  describeGrids,
  formatConfigProblem,
  formatGridsReport,
  presentFailure,
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
      return this.fail(new CliError('give a MapProxy configuration with -f mapproxy.yaml', 'CLI_USAGE'));
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

  /** MapProxy's messages and exit codes (the policy keeps grids' own): config problems 2, unknown names 1. */
  private fail(error: unknown): never {
    return this.exit(presentFailure(error, 'grids', this));
  }

  private printWarnings(warnings: readonly ConfigWarning[]): void {
    for (const warning of warnings) this.logToStderr(`warning: ${formatConfigProblem(warning)}`);
  }
}
