import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One answer the fake gives; `status` 200 and body `ok` when no answer is queued. */
export interface FakeSlackResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** One request the fake received. */
export interface FakeSlackRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body, JSON-parsed (the raw text when it is not JSON). */
  readonly body: unknown;
}

/** A Slack incoming webhook on 127.0.0.1 (ephemeral port), for tests. */
export interface FakeSlack {
  /** The webhook URL; its path holds a random secret, as a real one does. */
  readonly url: string;
  /** The secret part of the URL (to check it never leaks). */
  readonly secret: string;
  readonly requests: readonly FakeSlackRequest[];
  /** Queue answers for the next requests, in order. */
  respondWith(...responses: FakeSlackResponse[]): void;
  close(): Promise<void>;
}

/** Starts a stand-in for a Slack incoming webhook: it records every request and answers as told. */
export async function startFakeSlack(): Promise<FakeSlack> {
  const secret = randomBytes(18).toString('base64url');
  const path = `/services/T0LEDGER/B0LAKE/${secret}`;
  const requests: FakeSlackRequest[] = [];
  const queued: FakeSlackResponse[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text
      }
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body });
      // Slack answers 404 `no_service` for a webhook that does not exist.
      const answer: FakeSlackResponse =
        request.url !== path ? { status: 404, body: 'no_service' } : (queued.shift() ?? { status: 200, body: 'ok' });
      response.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      response.end(answer.body ?? (answer.status < 300 ? 'ok' : 'error'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    secret,
    requests,
    respondWith: (...responses) => {
      queued.push(...responses);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
