/**
 * `mapproxy-util scales`: converts scale denominators to resolutions (or back with
 * `--res-to-scale`), printing exactly what MapProxy 1.15 prints. Exit 1 on bad values.
 */
import { Args, Command, Flags } from '@oclif/core';
import { CliError, describeScales, presentFailure } from '../core/index.js';

export default class Scales extends Command {
  static override summary = 'Convert between scale denominators and resolutions.';
  static override description =
    'Prints the resolution (map units per pixel) of each scale denominator, or with --res-to-scale the ' +
    'scale of each resolution, sorted from the largest value. --levels adds halved values up to N levels; ' +
    'the default DPI is the OGC 0.28 mm pixel (about 90.7 DPI). A single "-" reads the values from ' +
    'standard input, one per line. Output matches MapProxy 1.15 `mapproxy-util scales`.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> 100000 50000 25000',
    '<%= config.bin %> <%= command.id %> -l 4 --as-res-config 100000',
    '<%= config.bin %> <%= command.id %> --dpi 96 --unit d --as-res-config 100000 50000 25000 10000',
    '<%= config.bin %> <%= command.id %> --res-to-scale 156543.03392804097 0.5971642834779395',
  ];
  static override strict = false;
  static override args = {
    values: Args.string({
      description: 'scale denominators (resolutions with --res-to-scale); "-" reads them from stdin',
    }),
  };
  static override flags = {
    levels: Flags.integer({
      char: 'l',
      default: 1,
      description: 'number of resolutions/scales to calculate',
    }),
    dpi: Flags.string({
      char: 'd',
      default: 'OGC',
      description: 'DPI to convert scales (OGC for .28mm based DPI)',
    }),
    unit: Flags.option({
      options: ['m', 'd'] as const,
      default: 'm',
      description: 'resolutions in meter (m) or degrees (d)',
    })(),
    eval: Flags.boolean({ description: 'evaluate the values as arithmetic, e.g. 360/256' }),
    repeat: Flags.boolean({
      description: 'repeat all values, each round divided by 10 (1000 500 250 100 50 25 ...)',
    }),
    'res-to-scale': Flags.boolean({ description: 'convert resolutions to scales' }),
    'as-res-config': Flags.boolean({ description: 'print a res: list for a MapProxy grid configuration' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Scales);
    const values = argv.map(String);
    if (values.length === 0) {
      this.fail(new CliError('give at least one scale or resolution value', 'CLI_USAGE'));
    }
    let lines: string[];
    try {
      lines = await describeScales({
        values,
        levels: flags.levels,
        dpi: flags.dpi,
        unit: flags.unit,
        evaluate: flags.eval,
        repeat: flags.repeat,
        resToScale: flags['res-to-scale'],
        asResConfig: flags['as-res-config'],
        stdin: values[0] === '-' ? await readStdin() : undefined,
      });
    } catch (error) {
      return this.fail(error);
    }
    for (const line of lines) this.log(line);
  }

  private fail(error: unknown): never {
    return this.exit(presentFailure(error, 'scales', this));
  }
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}
