/**
 * `mapproxy-util defrag-compact-cache` (MapProxy 1.15): rewrites compact cache bundles whose dead
 * space (from overwritten tiles) exceeds --min-percent and --min-mb. Exit 2 for configuration
 * errors, 1 for unknown cache names.
 */
import { Args, Command, Flags } from '@oclif/core';
import { CliError, presentFailure, runDefrag } from '../core/index.js';

export default class DefragCompactCache extends Command {
  static override summary = 'Defragment the bundles of compact caches (MapProxy defrag-compact-cache).';
  static override description =
    'Compact cache bundles are append-only: every overwritten tile leaves its old bytes behind. Bundles ' +
    'with more unused space than both --min-percent and --min-mb are rewritten with only their live ' +
    'tiles, under the bundle lock, and renamed over the old files.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> -f mapproxy.yaml',
    '<%= config.bin %> <%= command.id %> -f mapproxy.yaml --min-percent 20 --min-mb 5 --caches map1_cache,map2_cache',
    '<%= config.bin %> <%= command.id %> -f mapproxy.yaml -n',
  ];
  static override args = {
    config: Args.string({ description: 'the mapproxy.yaml (when -f is not given)' }),
  };
  static override flags = {
    'mapproxy-conf': Flags.string({ char: 'f', description: 'MapProxy configuration' }),
    'min-percent': Flags.string({
      description: 'only defrag if at least this percentage of the file is unused',
      default: '10',
    }),
    'min-mb': Flags.string({
      description: 'only defrag if at least this many MB of the file are unused',
      default: '1',
    }),
    'dry-run': Flags.boolean({ char: 'n', description: 'do not de-fragment, only print output' }),
    caches: Flags.string({ description: 'only defragment the named caches (cache1,cache2,...)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DefragCompactCache);
    const proxyConfigFile = flags['mapproxy-conf'] ?? args.config;
    if (proxyConfigFile === undefined) this.fail(new CliError('missing required option --mapproxy-conf', 'CLI_USAGE'));
    const number = (flag: string, text: string): number => {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value) || value < 0)
        this.fail(new CliError(`option --${flag}: invalid number value: '${text}'`, 'CLI_USAGE'));
      return value;
    };
    const minPercent = number('min-percent', flags['min-percent']);
    const minMb = number('min-mb', flags['min-mb']);
    try {
      await runDefrag({
        proxyConfigFile,
        caches: flags.caches?.split(',').map((name) => name.trim()),
        minPercent,
        minMb,
        dryRun: flags['dry-run'],
        onBundle: (name, r) => {
          // MapProxy DefragLog: "[time] name:   1/3 (file) fragmentation is 12.3% (45kb) - defragmenting"
          const time = new Date().toISOString().replace('T', ' ').slice(0, 19);
          this.log(
            `[${time}] ${name}: ${String(r.num).padStart(3)}/${String(r.total)} (${r.file}) fragmentation is ` +
              `${(r.fragmentation * 100).toFixed(1)}% (${String(Math.floor(r.fragmentationBytes / 1024))}kb) - ` +
              (r.defrag ? 'defragmenting' : 'skipping'),
          );
        },
      });
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): never {
    return this.exit(presentFailure(error, 'defrag-compact-cache', this));
  }
}
