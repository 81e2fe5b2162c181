/**
 * CGI "requests" as MapProxy 1.15's `client/cgi.py` `CGIClient` makes them for `mapserver`
 * sources: the binary runs once per request with the URL's query as `QUERY_STRING`, in the
 * working directory, and its output is split into headers and body.
 */
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { UpstreamError } from './errors.js';
import { acquireHostSlot } from './host-semaphore.js';
import type { HttpResponse } from './http-client.js';
import { logRequest } from './request-log.js';

export interface CgiOptions {
  /** Where the binary runs; default its own directory (MapProxy). */
  readonly workingDirectory?: string | undefined;
  /** Killed after this long (MapProxy waits for ever); default 60 s. */
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** `concurrent_requests`: calls at once, shared by every mapserver source (MapProxy's lock). */
  readonly concurrentRequests?: number | undefined;
  /** `globals.cache.lock_dir`: the slot files that share the limit with other processes. */
  readonly concurrentRequestsLockDir?: string | undefined;
}

/**
 * Runs `script` for `url` (only its query is used, e.g. `mapserver:///usr/bin/mapserv?map=...`).
 * Resolves with the CGI `Status` (200 without one), the headers (lower-cased) and the body; logs
 * `CGI <script>:<query> <status> <size> <ms>` on `mapproxy.source.request`. Rejects with
 * `UpstreamError`: `UPSTREAM_CONNECT` when the binary cannot be started, `UPSTREAM_STATUS` when it
 * exits with another code than 0, `UPSTREAM_TIMEOUT`, `UPSTREAM_ABORTED`.
 */
export async function cgiRequest(
  script: string,
  url: string,
  options: CgiOptions = {},
): Promise<HttpResponse> {
  const limit = options.concurrentRequests ?? 0;
  if (limit <= 0) return runCgi(script, url, options);
  // MapProxy keys the lock by the URL's netloc, empty for `mapserver://<binary>`: one limit for all
  const release = await acquireHostSlot('', limit, {
    lockDir: options.concurrentRequestsLockDir,
    signal: options.signal,
  });
  try {
    return await runCgi(script, url, options);
  } finally {
    await release();
  }
}

function runCgi(script: string, url: string, options: CgiOptions): Promise<HttpResponse> {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const logUrl = `${script}:${query}`;
  const start = performance.now();
  return new Promise<HttpResponse>((resolve, reject) => {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 60_000);
    const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
    const child = spawn(script, [], {
      cwd: options.workingDirectory ?? dirname(script),
      env: {
        ...process.env,
        QUERY_STRING: query,
        REQUEST_METHOD: 'GET',
        GATEWAY_INTERFACE: 'CGI/1.1',
        SERVER_ADDR: '127.0.0.1',
        SERVER_NAME: 'localhost',
        SERVER_PROTOCOL: 'HTTP/1.0',
        SERVER_SOFTWARE: 'MapProxy',
      },
      stdio: ['ignore', 'pipe', 'ignore'],
      signal,
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    const fail = (
      message: string,
      code: 'UPSTREAM_CONNECT' | 'UPSTREAM_STATUS' | 'UPSTREAM_TIMEOUT' | 'UPSTREAM_ABORTED',
      cause?: unknown,
    ) => {
      logRequest({
        method: 'CGI',
        url: logUrl,
        status: null,
        contentLength: null,
        durationMs: performance.now() - start,
      });
      reject(new UpstreamError(message, code, { url: logUrl, summary: message, cause }));
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') {
        if (timeout.aborted)
          fail(`No response from CGI script (${script}): timed out`, 'UPSTREAM_TIMEOUT', error);
        else fail(`CGI call aborted (${script})`, 'UPSTREAM_ABORTED', error);
      } else if (error.code === 'EACCES')
        fail(`No permission for CGI script (${script})`, 'UPSTREAM_CONNECT', error);
      else fail(`CGI script not found (${script})`, 'UPSTREAM_CONNECT', error);
    });
    child.once('close', (exitCode: number | null) => {
      if (exitCode === null) return; // killed: the 'error' event reported it
      if (exitCode !== 0) {
        fail(`Error during CGI call (exit code: ${String(exitCode)})`, 'UPSTREAM_STATUS');
        return;
      }
      const { status, headers, body } = splitCgiResponse(Buffer.concat(chunks));
      logRequest({
        method: 'CGI',
        url: logUrl,
        status,
        contentLength: String(body.length),
        durationMs: performance.now() - start,
      });
      resolve({ status: status ?? 200, headers, body, url: logUrl });
    });
  });
}

/** MapProxy `split_cgi_response`: headers up to the first empty line (CRLF or LF), then the body. */
function splitCgiResponse(output: Buffer): {
  status: number | null;
  headers: Record<string, string>;
  body: Buffer;
} {
  const crlf = output.indexOf('\r\n\r\n');
  const lf = output.indexOf('\n\n');
  const [end, gap] = crlf !== -1 && (lf === -1 || crlf < lf) ? [crlf, 4] : [lf, 2];
  if (end === -1) return { status: null, headers: {}, body: output };
  const headers: Record<string, string> = {};
  let status: number | null = null;
  for (const line of output.subarray(0, end).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'status') status = Number.parseInt(value, 10) || null;
    else headers[name] = value;
  }
  return { status, headers, body: output.subarray(end + gap) };
}
