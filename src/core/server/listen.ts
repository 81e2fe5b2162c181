/** Listening on a `--bind` address with the error and URL conventions every serve command shares. */
import type { FastifyInstance } from 'fastify';
import { hostAndPort, type BindAddress } from './bind.js';
import { ServerError } from './errors.js';

/** Where a server ended up listening. */
export interface ListeningAddress {
  /** The port actually listened on (the real one when the bind asked for 0). */
  readonly port: number;
  /** `http://displayHost:port`. */
  readonly url: string;
}

/** Listens on `bind`. Rejects with `ServerError` (`SERVER_LISTEN`) when the address cannot be used. */
export async function listenOn(server: FastifyInstance, bind: BindAddress): Promise<ListeningAddress> {
  try {
    await server.listen({ host: bind.host, port: bind.port });
  } catch (err) {
    throw new ServerError(
      `cannot listen on ${hostAndPort(bind.host, bind.port)}: ${err instanceof Error ? err.message : String(err)}`,
      'SERVER_LISTEN',
      { cause: err },
    );
  }
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : bind.port;
  return { port, url: `http://${hostAndPort(bind.displayHost, port)}` };
}
