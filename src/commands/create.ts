/**
 * `mapproxy-util create`: write example configurations, a server script or a log ini from templates/.
 */
import { Args, Command, Flags } from '@oclif/core';
import { listTemplates, ScaffoldError, writeTemplate } from '../core/index.js';

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
    if (flags.template === undefined) return this.usage('give a template with -t (see -l)');
    if (args.dest === undefined) return this.usage('template requires destination argument');
    try {
      await writeTemplate(flags.template, args.dest, {
        mapproxyConf: flags['mapproxy-conf'],
        force: flags.force,
        onWrite: (file) => { this.log(`writing ${file}`); },
      });
    } catch (error) {
      if (!(error instanceof ScaffoldError)) throw error;
      this.logToStderr(`ERROR: ${error.message}`);
      return this.exit(error.code === 'SCAFFOLD_EXISTS' ? 1 : 2);
    }
  }

  private usage(message: string): never {
    this.logToStderr(`ERROR: ${message}`);
    return this.exit(2);
  }
}
