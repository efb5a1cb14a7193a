import { SlackRejectedError, SlackUnavailableError, WebhookConfigError } from './errors';
import type { SlackMessage } from './slack-message';

/** How much time the delivery of one message may still use (the invocation's remaining time). */
export interface DeliveryBudget {
  /** Milliseconds left in the invocation (`context.getRemainingTimeInMillis`). */
  remainingMs(): number;
}

/** Where incident messages go: a Slack incoming webhook in the cloud, stderr on a laptop without one. */
export interface AlertSender {
  /** Delivers the message or throws; a retryable error means "try this message again later". */
  send(message: SlackMessage, budget: DeliveryBudget): Promise<void>;
}

/** The logging the webhook client does. */
export interface WebhookLogger {
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}

/** Options of `createSlackWebhook`. */
export interface SlackWebhookOptions {
  /** The webhook URL, a secret: read when needed (SSM, cached), never logged or put in an error. */
  readonly webhookUrl: () => Promise<string>;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  /** For `Retry-After` given as an HTTP date. */
  readonly now?: () => Date;
  readonly logger?: WebhookLogger;
  /** The wait after the first 5xx or network error; it doubles each time, up to `maxDelayMs`. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Kept back from the budget for the work after the post (recording it, answering SQS). */
  readonly reserveMs?: number;
  /** At most this long for one request. */
  readonly requestTimeoutMs?: number;
}

const DEFAULTS = { baseDelayMs: 500, maxDelayMs: 8_000, reserveMs: 5_000, requestTimeoutMs: 10_000 } as const;
/** A `Retry-After` that cannot be read means one second (Slack's webhook rate is about one message per second). */
const DEFAULT_RETRY_AFTER_MS = 1_000;
/** The shortest request worth starting. */
const MIN_REQUEST_MS = 1_000;
const MAX_BODY_SNIPPET = 200;

/**
 * A Slack incoming-webhook client. A 2xx is delivered. A 429 waits what `Retry-After` asks; a 5xx or
 * a network error waits `baseDelayMs`, doubling; each wait only if the budget leaves time for it and
 * one more request, else `SlackUnavailableError` (retryable: SQS delivers the message again). Any
 * other 4xx is `SlackRejectedError` at once (the payload or the webhook is wrong: waiting will not
 * fix it). No error message or log line carries the URL.
 */
export function createSlackWebhook(options: SlackWebhookOptions): AlertSender {
  const settings = { ...DEFAULTS, ...options };
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? (() => new Date());

  return {
    async send(message, budget) {
      const url = await resolveUrl(options.webhookUrl);
      const body = JSON.stringify(message);
      let failures = 0;
      for (let attempt = 1; ; attempt += 1) {
        const left = budget.remainingMs() - settings.reserveMs;
        if (left < MIN_REQUEST_MS) {
          throw new SlackUnavailableError(`alert-consumer: no time left to post to Slack (attempt ${attempt})`);
        }
        const outcome = await post(doFetch, url, body, Math.min(settings.requestTimeoutMs, left));
        if (outcome.kind === 'delivered') return;
        if (outcome.kind === 'rejected') {
          throw new SlackRejectedError(`alert-consumer: Slack refused the message: HTTP ${outcome.status} ${outcome.body}`.trim(), outcome.status);
        }
        let waitMs: number;
        if (outcome.kind === 'rate-limited') {
          waitMs = retryAfterMs(outcome.retryAfter, now());
        } else {
          waitMs = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** failures);
          failures += 1;
        }
        const problem = outcome.kind === 'network' ? outcome.problem : `HTTP ${outcome.status}`;
        const status = outcome.kind === 'network' ? undefined : outcome.status;
        const leftAfterWait = budget.remainingMs() - settings.reserveMs - waitMs;
        if (leftAfterWait < MIN_REQUEST_MS) {
          throw new SlackUnavailableError(
            `alert-consumer: Slack did not take the message (${problem} on attempt ${attempt}); waiting ${waitMs} ms more does not fit the time left`,
            status,
          );
        }
        options.logger?.warn('slack did not take the message, retrying', { attempt, problem, wait_ms: waitMs });
        await sleep(waitMs);
      }
    },
  };
}

type PostOutcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'rate-limited'; readonly status: 429; readonly retryAfter: string | null }
  | { readonly kind: 'unavailable'; readonly status: number }
  | { readonly kind: 'rejected'; readonly status: number; readonly body: string }
  | { readonly kind: 'network'; readonly problem: string };

async function post(doFetch: typeof fetch, url: string, body: string, timeoutMs: number): Promise<PostOutcome> {
  let response: Response;
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    // Deliberately not kept as a `cause`: a fetch error may quote the URL.
    return { kind: 'network', problem: networkProblem(error, timeoutMs) };
  }
  const text = await response.text().catch(() => '');
  if (response.ok) return { kind: 'delivered' };
  if (response.status === 429) return { kind: 'rate-limited', status: 429, retryAfter: response.headers.get('retry-after') };
  if (response.status >= 500) return { kind: 'unavailable', status: response.status };
  return { kind: 'rejected', status: response.status, body: text.replace(/\s+/g, ' ').slice(0, MAX_BODY_SNIPPET) };
}

/** `Retry-After` in seconds, or as an HTTP date; unreadable means one second. */
export function retryAfterMs(header: string | null, now: Date): number {
  if (header === null) return DEFAULT_RETRY_AFTER_MS;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, at - now.getTime());
}

async function resolveUrl(webhookUrl: () => Promise<string>): Promise<string> {
  let url: string;
  try {
    url = (await webhookUrl()).trim();
  } catch (error) {
    // The parameter's name is configuration, not a secret; the error names the failure, never the value.
    const reason = error instanceof Error ? error.name : 'NonError';
    throw new WebhookConfigError(`alert-consumer: the Slack webhook URL could not be read (${reason})`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookConfigError('alert-consumer: the Slack webhook URL is not a URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new WebhookConfigError('alert-consumer: the Slack webhook URL is not an http(s) URL');
  }
  return url;
}

function networkProblem(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? `network error ${code}` : 'network error';
}
