/**
 * `mapproxy-util create`: write example configurations, a server script or a log ini from templates/.
 */
import { Args, Command, Flags } from '@oclif/core';
import { CliError, listTemplates, presentFailure, writeTemplate } from '../core/index.js';

export default class Create extends Command {
  static override summary = 'Create example configurations, a server script or a logging configuration.';
  static override description =
    'Writes template TEMPLATE to DEST. Existing files are never overwritten without --force (exit 1).';
  static override examples = [
    '<%= config.bin %> <%= command.id %> -l',
    '<%= config.bin %> <%= command.id %> -t base-config ./mymapproxy',
    '<%= config.bin %> <%= command.id %> -t wsgi-app -f mapproxy.yaml app.js',
    '<%= config.bin %> <%= command.id %> -t log-ini log.ini',
  ];
  static override args = {
    dest: Args.string({ description: 'file or directory to write' }),
  };
  static override flags = {
    template: Flags.string({ char: 't', description: 'the template to write' }),
    'list-templates': Flags.boolean({ char: 'l', description: 'list the available templates' }),
    'mapproxy-conf': Flags.string({ char: 'f', description: 'existing MapProxy configuration (wsgi-app)' }),
    force: Flags.boolean({ description: 'overwrite existing files' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Create);
    if (flags['list-templates']) {
      const width = Math.max(...listTemplates().map((t) => t.name.length));
      this.log('Available templates:');
      for (const template of listTemplates()) this.log(`  ${template.name.padEnd(width)}  ${template.summary}`);
      return;
    }
    if (flags.template === undefined) return this.fail(new CliError('give a template with -t (see -l)', 'CLI_USAGE'));
    if (args.dest === undefined) return this.fail(new CliError('template requires destination argument', 'CLI_USAGE'));
    try {
      await writeTemplate(flags.template, args.dest, {
        mapproxyConf: flags['mapproxy-conf'],
        force: flags.force,
        onWrite: (file) => { this.log(`writing ${file}`); },
      });
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): never {
    return this.exit(presentFailure(error, 'create', this));
  }
}
