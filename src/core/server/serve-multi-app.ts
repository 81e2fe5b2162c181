/** `startMultiAppServer`: `serve-multiapp-develop`'s server, one project per YAML file in a directory. */
import { closedSignal } from './closed-signal.js';
import { stat } from 'node:fs/promises';
import type { BindAddress } from './bind.js';
import { buildHttpServer } from './build-server.js';
import { ServerError } from './errors.js';
import { listenOn } from './listen.js';
import { multiAppHandler, type MultiAppOptions } from './multi-app.js';

export interface StartMultiAppServerOptions extends MultiAppOptions {
  readonly configDir: string;
  readonly bind: BindAddress;
}

/** A listening multiapp server. */
export interface RunningMultiAppServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
  readonly closed: Promise<void>;
}

/**
 * Listens on `bind` serving the projects of `configDir` (each checked for changes on its requests).
 * Rejects with `ServerError`: `SERVER_BAD_PROJECT_DIR` when the directory is missing, `SERVER_LISTEN`.
 */
export async function startMultiAppServer(options: StartMultiAppServerOptions): Promise<RunningMultiAppServer> {
  const isDir = await stat(options.configDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new ServerError(`${options.configDir} is not a directory`, 'SERVER_BAD_PROJECT_DIR');
  const projects = multiAppHandler(options.configDir, options);
  const server = buildHttpServer(projects);
  const { url, port } = await listenOn(server, options.bind);
  const { closed, markClosed } = closedSignal();
  return {
    url,
    port,
    async close() {
      await server.close();
      await projects.close();
      markClosed();
    },
    closed,
  };
}
