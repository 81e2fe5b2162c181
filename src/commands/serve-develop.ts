/**
 * `mapproxy-util serve-develop`: serve one configuration for development, reloading on change.
 */
import { resolve } from 'node:path';
import { Args, Command, Flags } from '@oclif/core';
import {
  configureServerLogging,
  leaveWorkingDirectory,
  logUnhandledRejections,
  parseBind,
  presentFailure,
  startServer,
  type RunningServer,
} from '../core/index.js';

export default class ServeDevelop extends Command {
  static override summary = 'Serve one configuration for development, reloading when it changes.';
  static override description =
    'Starts a development server for MAPPROXY_YAML. Edits of the file or its base: files are picked up ' +
    'while it runs; a broken edit is logged and the last good configuration keeps serving. ' +
    'Not for production: use `mapproxy-util serve` there.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> mapproxy.yaml',
    '<%= config.bin %> <%= command.id %> mapproxy.yaml -b 0.0.0.0:8080',
    '<%= config.bin %> <%= command.id %> mapproxy.yaml -b 8081 --debug',
  ];
  static override args = {
    config: Args.file({ required: true, description: 'the mapproxy.yaml to serve' }),
  };
  static override flags = {
    bind: Flags.string({
      char: 'b',
      default: '127.0.0.1:8080',
      description: 'PORT, HOST or HOST:PORT to listen on (:PORT listens on every interface)',
    }),
    debug: Flags.boolean({ description: 'debug logging, and error details in 500 responses' }),
    'log-config': Flags.file({
      description:
        'Python logging ini file (create one with `create -t log-ini`); default: the console, request lines on stderr',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ServeDevelop);
    let bind;
    try {
      bind = parseBind(flags.bind);
    } catch (error) {
      return this.fail(error);
    }
    try {
      await configureServerLogging({ debug: flags.debug, logConfig: flags['log-config'] });
    } catch (error) {
      return this.fail(error);
    }
    if (flags.debug && !['localhost', '127.0.0.1', '::1'].includes(bind.host)) {
      this.log('#'.repeat(60));
      this.log('# WARNING! Running debug mode with non-localhost address');
      this.log('# is a serious security vulnerability.');
      this.log('#'.repeat(60));
    }
    let server: RunningServer;
    try {
      // absolute: a reload reads it again after the server left its working directory
      server = await startServer({
        configFile: resolve(args.config),
        bind,
        reload: true,
        debug: flags.debug,
      });
    } catch (error) {
      return this.fail(error);
    }
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

  /** Configuration problems exit 2 with every message; address problems exit 1 (the exit-code policy). */
  private fail(error: unknown): never {
    return this.exit(presentFailure(error, 'serve-develop', this));
  }
}
