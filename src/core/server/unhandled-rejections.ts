/**
 * A promise rejected with nobody waiting for it is logged, not the end of a server process. Node
 * ends the process on one: serve-develop stopped with every request in flight, and a `serve`
 * worker dropped its requests before the primary replaced it. MapProxy's servers log an error
 * they did not expect and go on serving.
 */
import { getLogger } from '../util/index.js';

const log = getLogger('mapproxy.server');
let installed = false;

/** Logs every unhandled rejection of this process from now on (once, however often called). */
export function logUnhandledRejections(): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (reason) => {
    const detail = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
    log.error(`unhandled promise rejection (a bug; still serving): ${detail}`);
  });
}
