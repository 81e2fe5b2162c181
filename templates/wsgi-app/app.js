// Server script for mapproxy-ts (MapProxy's config.wsgi): exports `application`, a Node request
// handler for node:http, express or fastify. `mapproxy-util serve app.js -w 4` runs it in worker
// processes; `node app.js` serves it alone on HOST:PORT (default 127.0.0.1:8080).

import { createServer } from 'node:http';

// `mapproxy-ts` where it can be imported from here (installed beside this script, or the engine
// of `mapproxy-util serve`), else the toolkit that wrote this file
const mapproxy = await import('mapproxy-ts').catch((error) =>
  error?.code === 'ERR_MODULE_NOT_FOUND' ? import({{toolkit}}) : Promise.reject(error),
);

// // uncomment the following lines for logging
// // create a log.ini with `mapproxy-util create -t log-ini`
// await mapproxy.configureLoggingFromIni({{log_ini}}, { here: import.meta.dirname });

export const application = await mapproxy.makeApp({{mapproxy_conf}});

if (process.argv[1] === import.meta.filename) {
  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.PORT ?? 8080);
  const server = createServer(application).listen(port, host, () => {
    console.log(`* Running on http://${host}:${server.address().port}/`);
  });
}
