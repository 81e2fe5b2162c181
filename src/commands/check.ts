/**
 * `mapproxy-util check`: validates mapproxy.yaml (and optionally seed.yaml) and prints every
 * problem with file:line:column. Exit 0 when clean (warnings allowed), 2 when broken.
 */
import { Args, Command, Flags } from '@oclif/core';
import {
  checkConfig,
  CliError,
  ConfigErrors,
  formatConfigProblem,
  presentFailure,
  type CheckConfigResult,
} from '../core/index.js';

export default class Check extends Command {
  static override summary = 'Check a MapProxy configuration (and seed configuration) for errors.';
  static override description =
    'Loads the configuration with its base: includes, validates every key and reference and prints all ' +
    'warnings and errors with file:line:column. Exits 0 when the configuration is usable, 2 when it is not.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> mapproxy.yaml',
    '<%= config.bin %> <%= command.id %> -f mapproxy.yaml -s seed.yaml',
  ];
  static override args = {
    config: Args.string({ description: 'the mapproxy.yaml to check (or -f)' }),
  };
  static override flags = {
    'mapproxy-conf': Flags.string({ char: 'f', description: 'the mapproxy.yaml to check' }),
    'seed-conf': Flags.string({ char: 's', description: 'a seed.yaml to check against the configuration' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Check);
    const configFile = flags['mapproxy-conf'] ?? args.config;
    if (configFile === undefined) {
      return this.fail(new CliError('missing configuration: check mapproxy.yaml (or -f mapproxy.yaml)', 'CLI_USAGE'));
    }
    if (flags['mapproxy-conf'] !== undefined && args.config !== undefined) {
      return this.fail(new CliError('give the configuration once: as an argument or with -f', 'CLI_USAGE'));
    }
    const result = await checkConfig({ configFile, seedFile: flags['seed-conf'] });
    if (!result.ok) {
      const exitCode = presentFailure(new ConfigErrors(result.errors, result.warnings), 'check', this);
      const count = result.errors.length;
      this.logToStderr(`configuration invalid: ${count} error${count === 1 ? '' : 's'}`);
      this.exit(exitCode);
    }
    for (const warning of result.warnings) this.logToStderr(`warning: ${formatConfigProblem(warning)}`);
    this.log(summaryLine(result, configFile, flags['seed-conf']));
  }

  private fail(error: unknown): never {
    return this.exit(presentFailure(error, 'check', this));
  }
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function summaryLine(result: CheckConfigResult, configFile: string, seedFile: string | undefined): string {
  const s = result.summary;
  let line = `OK ${configFile}`;
  if (s) {
    line += ` (${plural(s.layers, 'layer')}, ${plural(s.caches, 'cache')}, ${plural(s.sources, 'source')}, ${plural(s.grids, 'grid')})`;
  }
  const seed = result.seedSummary;
  if (seedFile !== undefined && seed) {
    line += `, ${seedFile} (${plural(seed.seeds, 'seed')}, ${plural(seed.cleanups, 'cleanup')}, ${plural(seed.coverages, 'coverage')})`;
  }
  return line;
}
