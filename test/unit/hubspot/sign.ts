import { computeSignature } from '../../../connectors/hubspot/signature.ts';

/** Signs a webhook request the way HubSpot does (v3 with its timestamp), for the tests to send. */
export function hubspotHeaders(options: {
  secret: string;
  uri: string;
  body: string;
  timestamp: number;
  method?: string;
}): Record<string, string> {
  const timestamp = String(options.timestamp);
  return {
    'content-type': 'application/json',
    'x-hubspot-request-timestamp': timestamp,
    'x-hubspot-signature-v3': computeSignature('v3', {
      clientSecret: options.secret,
      method: options.method ?? 'POST',
      uri: options.uri,
      body: options.body,
      timestamp,
    }),
  };
}
