/**
 * `mapproxy-util export` (MapProxy 1.15): copies a cache or source into a new tms, tc, arcgis,
 * mbtile, sqlite, geopackage or compact cache by seeding it. Exit 2 for usage and configuration
 * errors, 1 for an existing destination without --force or tiles that could not be exported.
 */
import { Args, Command, Flags } from '@oclif/core';
import { CliError, exitCodeFor, presentFailure, runExport } from '../core/index.js';

export default class Export extends Command {
  static override summary =
    'Export tiles of a cache or source into another cache type, grid, coverage and levels.';
  static override description =
    'Seeds a new cache named "export" whose only source is --source. --type: tms (default), tc or ' +
    'mapproxy, arcgis (directories), mbtile, geopackage (files), sqlite (level files under ' +
    '<dest>/<grid>), compact-v1, compact-v2. Without --fetch-missing-tiles only tiles already cached ' +
    'are exported. --dest is relative to the working directory.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> -f mapproxy.yaml --grid osm_grid --source osm_cache --dest ./cache/ --levels 1..6 --coverage 5,50,10,60 --srs 4326',
    '<%= config.bin %> <%= command.id %> -f mapproxy.yaml --grid osm_grid --source osm_cache --dest osm.mbtiles --type mbtile --levels 1..6',
    `<%= config.bin %> <%= command.id %> -f mapproxy.yaml --levels 1..6 --grid "srs='EPSG:4326' bbox=[5,50,10,60] tile_size=[512,512]" --source osm_cache --dest osm.mbtiles --type mbtile`,
  ];
  static override args = {
    config: Args.string({ description: 'the mapproxy.yaml (when -f is not given)' }),
  };
  static override flags = {
    'mapproxy-conf': Flags.string({ char: 'f', description: 'MapProxy configuration' }),
    source: Flags.string({ description: 'source to export (source or cache)', required: true }),
    grid: Flags.string({
      description: 'grid for export: the name of a grid or its definition as a string',
      required: true,
    }),
    dest: Flags.string({ description: 'destination of the export (directory or filename)', required: true }),
    type: Flags.string({ description: 'type of the export format', default: 'tms' }),
    levels: Flags.string({ description: 'levels to export: e.g 1,2,3 or 1..10', required: true }),
    'fetch-missing-tiles': Flags.boolean({
      description: 'if missing tiles should be fetched from the sources',
    }),
    force: Flags.boolean({ description: 'overwrite/append to existing --dest files/directories' }),
    'dry-run': Flags.boolean({ char: 'n', description: 'do not export, just print output' }),
    concurrency: Flags.integer({
      char: 'c',
      description: 'number of parallel export jobs',
      default: 1,
      min: 1,
    }),
    coverage: Flags.string({
      description: 'the coverage for the export as a BBOX string or a coverage file',
    }),
    srs: Flags.string({ description: 'the SRS of the coverage' }),
    where: Flags.string({ description: 'filter for OGR coverages' }),
    quiet: Flags.boolean({ char: 'q', description: 'print no progress' }),
    retries: Flags.integer({
      summary: 'retries of a failed meta tile, with backoff, as seed (not in MapProxy)',
      default: 5,
      min: 0,
    }),
    'retry-delay': Flags.integer({
      summary: 'first retry backoff in ms, doubling (not in MapProxy)',
      default: 1000,
      min: 0,
      hidden: true,
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Export);
    const proxyConfigFile = flags['mapproxy-conf'] ?? args.config;
    if (proxyConfigFile === undefined) this.fail(new CliError('missing required option --mapproxy-conf', 'CLI_USAGE'));
    try {
      let lastPercent = -1;
      const result = await runExport({
        proxyConfigFile,
        grid: flags.grid,
        source: flags.source,
        dest: flags.dest,
        type: flags.type,
        levels: flags.levels,
        fetchMissingTiles: flags['fetch-missing-tiles'],
        force: flags.force,
        dryRun: flags['dry-run'],
        concurrency: flags.concurrency,
        coverage: flags.coverage,
        srs: flags.srs,
        where: flags.where,
        retries: flags.retries,
        retryDelayMs: flags['retry-delay'],
        onEvent: (event) => {
          if (event.type === 'note') {
            if (event.message.startsWith('WARN')) this.logToStderr(event.message);
            else this.log(event.message);
            return;
          }
          if (flags.quiet || event.type !== 'progress') return;
          const percent = Math.floor(event.fraction * 100);
          if (percent === lastPercent) return;
          lastPercent = percent;
          this.log(
            `[${new Date().toISOString().slice(11, 19)}] ${String(percent).padStart(3)}% (${String(event.tiles)} tiles)`,
          );
        },
      });
      this.log(`exported ${String(result.stats.tiles)} tiles in ${result.stats.seconds.toFixed(1)} s`);
      if (result.stats.failures.length > 0) {
        for (const f of result.stats.failures)
          this.logToStderr(
            `error: tile (${String(f.coord.x)}, ${String(f.coord.y)}, ${String(f.coord.z)}): ${f.message}`,
          );
        this.exit(exitCodeFor('failed', 'export'));
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): never {
    return this.exit(presentFailure(error, 'export', this));
  }
}
