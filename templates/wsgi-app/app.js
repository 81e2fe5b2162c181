// Server script for mapproxy-ts (MapProxy's config.wsgi): exports `application`, a Node request
// handler for node:http, express or fastify. `mapproxy-util serve app.js -w 4` runs it in worker
// processes; `node app.js` serves it alone on HOST:PORT (default 127.0.0.1:8080).

// // uncomment the following lines for logging
// // create a log.ini with `mapproxy-util create -t log-ini`
// import { configureLoggingFromIni } from 'mapproxy-ts';
// await configureLoggingFromIni({{log_ini}}, { here: import.meta.dirname });

import { createServer } from 'node:http';
import { makeApp } from 'mapproxy-ts';

export const application = await makeApp({{mapproxy_conf}});

if (process.argv[1] === import.meta.filename) {
  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.PORT ?? 8080);
  const server = createServer(application).listen(port, host, () => {
    console.log(`* Running on http://${host}:${server.address().port}/`);
  });
}
