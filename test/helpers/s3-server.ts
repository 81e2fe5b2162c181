/**
 * A small S3-compatible object store on 127.0.0.1, port 0, path-style (`/<bucket>/<key>`): enough
 * of HeadBucket, PutObject, GetObject, HeadObject and DeleteObject for the AWS SDK and for plain
 * GETs. Signatures are not checked; the access key of each request is recorded. Closed after the test.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { atTestEnd } from './test-end.js';

export interface S3Object {
  readonly body: Buffer;
  readonly contentType: string | undefined;
  readonly acl: string | undefined;
  readonly lastModified: Date;
}

export interface S3Request {
  readonly method: string;
  readonly bucket: string;
  /** The object key, '' for bucket requests. */
  readonly key: string;
  /** The access key id of the `Authorization` header, null for unsigned requests. */
  readonly accessKeyId: string | null;
  readonly headers: IncomingHttpHeaders;
}

/** A forced answer: `status` with an S3 error `code`, for requests `when` matches. */
export interface S3Failure {
  readonly when: (request: S3Request) => boolean;
  readonly status: number;
  readonly code: string;
}

export interface S3Server {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: readonly S3Request[];
  /** TCP connections open right now (keep-alive sockets of clients included). */
  readonly openConnections: () => number;
  /** The objects of a bucket by key (a live view). */
  bucket(name: string): Map<string, S3Object>;
  /** Answers matching requests with an error until `clear` is called. */
  fail(failure: S3Failure): { clear: () => void };
  /** Leaves matching requests unanswered until `until` settles (a cache write in progress). */
  hold(when: (request: S3Request) => boolean, until: Promise<unknown>): void;
  close(): Promise<void>;
}

/** Decodes an `aws-chunked` body (`<hex size>[;ext]\r\n<data>\r\n` … `0\r\n` trailers). */
function decodeChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const end = body.indexOf('\r\n', at);
    if (end < 0) break;
    const size = Number.parseInt(body.subarray(at, end).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(end + 2, end + 2 + size));
    at = end + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function accessKeyOf(headers: IncomingHttpHeaders): string | null {
  const match = /Credential=([^/]+)\//.exec(headers.authorization ?? '');
  return match?.[1] ?? null;
}

function sendError(res: ServerResponse, status: number, code: string, head: boolean): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/xml');
  res.end(
    head
      ? undefined
      : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`,
  );
}

/** Starts the store with the given (empty) buckets; closed after the test. */
export async function startS3Server(t: TestContext, buckets: readonly string[]): Promise<S3Server> {
  const s3 = await createS3Server(buckets);
  atTestEnd(t, () => s3.close());
  return s3;
}

/** Starts the store outside a test (the bench); the caller closes it. */
export async function createS3Server(buckets: readonly string[]): Promise<S3Server> {
  const store = new Map<string, Map<string, S3Object>>(buckets.map((b) => [b, new Map()]));
  const requests: S3Request[] = [];
  const failures = new Set<S3Failure>();
  const holds: { when: (request: S3Request) => boolean; until: Promise<unknown> }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://s3');
      const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
      const key = rest.map(decodeURIComponent).join('/');
      const method = req.method ?? 'GET';
      const request: S3Request = {
        method,
        bucket,
        key,
        accessKeyId: accessKeyOf(req.headers),
        headers: req.headers,
      };
      requests.push(request);
      const held = holds.find((h) => h.when(request))?.until;
      const reply = (): void => {
        answer(request, chunks, res);
      };
      if (held === undefined) reply();
      else void held.then(reply, reply);
    });
  });
  const answer = (request: S3Request, chunks: Buffer[], res: ServerResponse): void => {
    const { method, bucket, key, headers } = request;
    const head = method === 'HEAD';
    const failure = [...failures].find((f) => f.when(request));
    if (failure !== undefined) {
      sendError(res, failure.status, failure.code, head);
      return;
    }
    const objects = store.get(bucket);
    if (objects === undefined) {
      sendError(res, 404, 'NoSuchBucket', head);
      return;
    }
    if (key === '') {
      res.statusCode = 200;
      res.end();
      return;
    }
    let body: Buffer = Buffer.concat(chunks);
    switch (method) {
      case 'PUT': {
        if ((headers['content-encoding'] ?? '').includes('aws-chunked')) body = decodeChunked(body);
        const header = (name: string): string | undefined => {
          const value = headers[name];
          return typeof value === 'string' ? value : undefined;
        };
        objects.set(key, {
          body,
          contentType: header('content-type'),
          acl: header('x-amz-acl'),
          lastModified: new Date(),
        });
        res.statusCode = 200;
        res.setHeader('etag', `"${String(body.length)}"`);
        res.end();
        return;
      }
      case 'GET':
      case 'HEAD': {
        const object = objects.get(key);
        if (object === undefined) {
          sendError(res, 404, 'NoSuchKey', head);
          return;
        }
        res.statusCode = 200;
        res.setHeader('content-length', object.body.length);
        res.setHeader('last-modified', object.lastModified.toUTCString());
        res.setHeader('etag', `"${String(object.body.length)}"`);
        if (object.contentType !== undefined) res.setHeader('content-type', object.contentType);
        res.end(head ? undefined : object.body);
        return;
      }
      case 'DELETE':
        objects.delete(key);
        res.statusCode = 204;
        res.end();
        return;
      default: {
        sendError(res, 405, 'MethodNotAllowed', false);
        return;
      }
    }
  };
  let open = 0;
  server.on('connection', (socket) => {
    open += 1;
    socket.on('close', () => {
      open -= 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        resolve();
      });
    });
  return {
    url: `http://127.0.0.1:${String(port)}`,
    requests,
    openConnections: () => open,
    bucket: (name) => {
      const objects = store.get(name);
      if (objects === undefined) throw new Error(`no bucket ${name}`);
      return objects;
    },
    fail: (failure) => {
      failures.add(failure);
      return { clear: () => failures.delete(failure) };
    },
    hold: (when, until) => {
      holds.push({ when, until });
    },
    close,
  };
}

/**
 * Gives this test process's AWS SDK fixed credentials (access key `accessKeyId`) and keeps it from
 * looking anywhere else: no instance metadata, no ~/.aws files.
 */
export function isolateAwsSdk(accessKeyId = 'AKIDSYSTEM'): void {
  process.env.AWS_ACCESS_KEY_ID = accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
}
