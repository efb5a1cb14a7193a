import { WebhookConfigError } from './errors';

/** The part of Powertools' `SSMProvider` the webhook needs: a cached, decrypted read of one parameter. */
export interface ParameterReader {
  get(name: string, options: { decrypt: true; maxAge: number }): Promise<unknown>;
}

/** Where the URL comes from: the SSM SecureString (cloud) or the URL itself (a laptop). */
export interface WebhookUrlConfig {
  readonly SLACK_WEBHOOK_PARAMETER?: string | undefined;
  readonly SLACK_WEBHOOK_URL?: string | undefined;
  /** How long Powertools reuses a value it read. */
  readonly SLACK_WEBHOOK_CACHE_SECONDS: number;
}

/**
 * The webhook URL source the Slack client calls before each message: the configured URL, or the
 * SecureString read with decryption through Powertools Parameters, cached `SLACK_WEBHOOK_CACHE_SECONDS`
 * (a rotated URL is picked up within that time, and SSM is not called per message).
 */
export function webhookUrlSource(config: WebhookUrlConfig, parameters: ParameterReader): () => Promise<string> {
  const { SLACK_WEBHOOK_URL: url, SLACK_WEBHOOK_PARAMETER: name } = config;
  if (url !== undefined) return () => Promise.resolve(url);
  if (name === undefined) throw new WebhookConfigError('alert-consumer: neither SLACK_WEBHOOK_URL nor SLACK_WEBHOOK_PARAMETER is set');
  return async () => {
    const value = await parameters.get(name, { decrypt: true, maxAge: config.SLACK_WEBHOOK_CACHE_SECONDS });
    if (typeof value !== 'string' || value.trim() === '') {
      throw new WebhookConfigError(`alert-consumer: the SSM parameter ${name} holds no webhook URL`);
    }
    return value;
  };
}
