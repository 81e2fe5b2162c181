/**
 * `mapproxy-util serve-multiapp-develop`: serve every configuration in a directory, each under
 * its own name (MultiMapProxy), for development.
 */
import { Args, Command, Flags } from '@oclif/core';
import {
  configureServerLogging,
  leaveWorkingDirectory,
  logUnhandledRejections,
  parseBind,
  presentFailure,
  startMultiAppServer,
  type RunningMultiAppServer,
} from '../core/index.js';

export default class ServeMultiappDevelop extends Command {
  static override summary = 'Serve every configuration in a directory for development (MultiMapProxy).';
  static override description =
    'DIR/proj1.yaml answers under /proj1/. Projects are loaded on first use and reloaded when their files change; ' +
    'the root page lists them. Not for production.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> projects/',
    '<%= config.bin %> <%= command.id %> projects/ -b 0.0.0.0:8080',
  ];
  static override args = {
    dir: Args.directory({ required: true, description: 'the directory with the project configurations' }),
  };
  static override flags = {
    bind: Flags.string({
      char: 'b',
      default: '127.0.0.1:8080',
      description: 'PORT, HOST or HOST:PORT to listen on',
    }),
    debug: Flags.boolean({ description: 'debug logging, and error details in 500 responses' }),
    'log-config': Flags.file({
      description: 'Python logging ini file (create one with `create -t log-ini`)',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ServeMultiappDevelop);
    let server: RunningMultiAppServer;
    try {
      const bind = parseBind(flags.bind);
      await configureServerLogging({ debug: flags.debug, logConfig: flags['log-config'] });
      if (flags.debug && !['localhost', '127.0.0.1', '::1'].includes(bind.host)) {
        this.log(
          '# WARNING! Running debug mode with non-localhost address is a serious security vulnerability.',
        );
      }
      // MapProxy's serve-multiapp-develop lists the projects
      server = await startMultiAppServer({
        configDir: args.dir,
        bind,
        allowListing: true,
        debug: flags.debug,
      });
    } catch (error) {
      return this.exit(presentFailure(error, 'serve-multiapp-develop', this));
    }
    // the projects' directory was resolved when the server started
    leaveWorkingDirectory();
    // werkzeug's line, on stderr as MapProxy's dev server writes it (its loggers go to stdout)
    this.logToStderr(`[info]  * Running on ${server.url}/ (Press CTRL+C to quit)`);
    // a rejection nobody awaits is logged; Node would end the server (and every request in flight)
    logUnhandledRejections();
    const stop = () => void server.close();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await server.closed;
  }
}
