/**
 * `mapproxy-util serve`: production serving of a configuration or server script with worker
 * processes (restart on crash, drain on SIGTERM, rolling reload on SIGHUP).
 */
import { Args, Command, Flags } from '@oclif/core';
import {
  configureServerLogging,
  leaveWorkingDirectory,
  logUnhandledRejections,
  parseBind,
  presentFailure,
  serve,
  type ServeCluster,
} from '../core/index.js';

export default class Serve extends Command {
  static override summary = 'Serve a configuration or server script in production, with worker processes.';
  static override description =
    'Runs CONFIG_OR_SCRIPT (a mapproxy.yaml, or a server script written by `create -t wsgi-app`) in N worker ' +
    'processes on one socket. A worker that dies is replaced; SIGTERM drains and stops; SIGHUP replaces the ' +
    'workers one by one (re-reading the configuration) without refusing requests. Put it behind nginx or Apache ' +
    'with an X-Script-Name header when it is not served at /.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> mapproxy.yaml -w 4 -b 127.0.0.1:8181',
    '<%= config.bin %> <%= command.id %> app.js -w 4 --log-config log.ini',
  ];
  static override args = {
    target: Args.file({ required: true, description: 'mapproxy.yaml or a server script (.js)' }),
  };
  static override flags = {
    bind: Flags.string({
      char: 'b',
      default: '127.0.0.1:8080',
      description: 'PORT, HOST or HOST:PORT to listen on',
    }),
    workers: Flags.integer({ char: 'w', default: 1, min: 1, description: 'number of worker processes' }),
    'log-config': Flags.file({
      description: 'Python logging ini file (create one with `create -t log-ini`)',
    }),
    debug: Flags.boolean({ description: 'debug logging, and error details in 500 responses' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Serve);
    let server: ServeCluster;
    try {
      const bind = parseBind(flags.bind);
      const logConfig = flags['log-config'];
      // the primary's logging; each worker configures its own from the same flags
      await configureServerLogging({ debug: flags.debug, logConfig });
      server = await serve({
        target: args.target,
        bind,
        workers: flags.workers,
        debug: flags.debug,
        ...(logConfig === undefined ? {} : { logConfig }),
      });
    } catch (error) {
      return this.exit(presentFailure(error, 'serve', this));
    }
    // the workers were given absolute paths and the directory to resolve their own relative names in
    leaveWorkingDirectory();
    // on stderr with the access lines, as gunicorn's "Listening at"; the application log is stdout
    this.logToStderr(
      `* Running on ${server.url}/ with ${flags.workers} worker(s), pid ${process.pid} (SIGHUP reloads, SIGTERM stops)`,
    );
    // a rejection nobody awaits is logged; Node would end the server (and every request in flight)
    logUnhandledRejections();
    await server.closed;
  }
}
