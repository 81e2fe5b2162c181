/**
 * `mapproxy-util wms-capabilities URL`: lists the layers of an upstream WMS as MapProxy 1.15
 * prints them. Exit 1 when the WMS cannot be reached or answers no capabilities, 2 without a URL.
 */
import { Args, Command, Flags } from '@oclif/core';
import { CliError, configureLogging, fetchWmsCapabilities, formatWmsCapabilities, presentFailure } from '../core/index.js';

export default class WmsCapabilities extends Command {
  static override summary = 'List the layers of a WMS from its capabilities.';
  static override description =
    'Read and parse WMS 1.1.1 capabilities and print out information about each layer. ' +
    'It does _not_ return a valid MapProxy configuration.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> "http://example.org/service?"',
    '<%= config.bin %> <%= command.id %> --version 1.3.0 --host http://example.org/service',
  ];
  static override args = { url: Args.string({ description: 'WMS capabilities URL' }) };
  static override flags = {
    host: Flags.string({ description: 'WMS capabilities URL' }),
    version: Flags.option({
      options: ['1.1.1', '1.3.0'] as const,
      default: '1.1.1',
      description: 'request the GetCapabilities document in version 1.1.1 or 1.3.0',
    })(),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(WmsCapabilities);
    const url = flags.host ?? args.url;
    if (url === undefined) {
      this.fail(new CliError('give the WMS capabilities URL', 'CLI_USAGE'));
    }
    // MapProxy's script prints no request log: stdout is the layer list only
    configureLogging({ stdout: false });
    try {
      const caps = await fetchWmsCapabilities(url, { version: flags.version });
      process.stdout.write(formatWmsCapabilities(caps));
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): never {
    return this.exit(presentFailure(error, 'wms-capabilities', this));
  }
}
