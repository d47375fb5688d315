import type { SystemName } from '../domain/lead.ts';

/** One API call as the connectors report it; the headline figure "API calls per lead" is built from these. */
export interface ApiCall {
  system: SystemName;
  tenant: string;
  /** Route template, e.g. `POST /crm/v3/objects/contacts/batch/upsert` or `GET /query`. */
  endpoint: string;
  /** HTTP status, or 0 when no response arrived (timeout, connection refused). */
  status: number;
}

/** Where connectors report their API calls; the server exports them as Prometheus metrics. */
export interface ApiCallRecorder {
  record(call: ApiCall): void;
}

/** Keeps counts in memory; used by tests, benchmarks and the CLI's summaries. */
export class InMemoryApiCallRecorder implements ApiCallRecorder {
  readonly calls: ApiCall[] = [];

  record(call: ApiCall): void {
    this.calls.push(call);
  }

  count(filter: Partial<ApiCall> = {}): number {
    return this.calls.filter((call) =>
      Object.entries(filter).every(([key, value]) => call[key as keyof ApiCall] === value),
    ).length;
  }

  reset(): void {
    this.calls.length = 0;
  }
}

export const ignoreApiCalls: ApiCallRecorder = { record: () => {} };
