import { Worker } from 'node:worker_threads';
import type { ParseResult } from './outbound-message.ts';

/** Why a body was not parsed: the pool is full (answer 503, Salesforce retries) or the parse took too long. */
export type PoolRefusal = { ok: false; reason: 'busy' | 'parse_timeout' | 'parse_crashed'; detail: string };

export interface ParsePoolOptions {
  /** Bodies waiting behind the one being parsed; beyond that a request is refused at once. Default 4. */
  maxQueued?: number;
  /** Longest a parse may take, in milliseconds, before the thread is replaced. Default 10,000. */
  timeoutMs?: number;
  /** Idle time, in milliseconds, after which the thread is stopped (a new one starts on demand). Default 30,000. */
  idleMs?: number;
}

interface Job {
  id: number;
  body: Buffer;
  resolve: (result: ParseResult | PoolRefusal) => void;
}

// The build runs from dist/ (.js); the sources run through type stripping (.ts).
const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './outbound-parse-worker.ts' : './outbound-parse-worker.js',
  import.meta.url,
);

/**
 * Outbound Message bodies are validated and parsed in one worker thread, one at a time, with a short
 * queue: a 2 MB envelope costs fast-xml-parser 0.4–2.5 s of CPU, which on the event loop stalled
 * `/healthz` and every other request. The thread is created on first use and does not keep the process
 * alive.
 */
export class OutboundParsePool {
  private readonly maxQueued: number;
  private readonly timeoutMs: number;
  private readonly idleMs: number;
  private idleTimer: NodeJS.Timeout | undefined;
  private worker: Worker | undefined;
  private current: (Job & { timer: NodeJS.Timeout }) | undefined;
  private readonly queue: Job[] = [];
  private nextId = 1;

  constructor(options: ParsePoolOptions = {}) {
    this.maxQueued = options.maxQueued ?? 4;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.idleMs = options.idleMs ?? 30_000;
  }

  /** Bodies being parsed or waiting. */
  get load(): number {
    return this.queue.length + (this.current ? 1 : 0);
  }

  /** Parses `body`, which the pool may take over: do not read it afterwards. */
  parse(body: Buffer): Promise<ParseResult | PoolRefusal> {
    if (this.current && this.queue.length >= this.maxQueued) {
      return Promise.resolve({
        ok: false,
        reason: 'busy',
        detail: 'too many messages being parsed; retry later',
      });
    }
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, body, resolve });
      this.pump();
    });
  }

  /** Stops the thread; bodies still waiting are refused as busy. */
  async close(): Promise<void> {
    for (const job of this.queue.splice(0))
      job.resolve({ ok: false, reason: 'busy', detail: 'shutting down' });
    this.finish({ ok: false, reason: 'busy', detail: 'shutting down' });
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: 256 } });
    worker.on('message', (message: { id: number; result: ParseResult }) => {
      if (this.current?.id === message.id) this.finish(message.result);
    });
    // Only the live thread's death fails the current parse (a replaced or idle-stopped one exits quietly).
    const lost = (detail: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.finish({ ok: false, reason: 'parse_crashed', detail });
    };
    worker.on('error', (err) => lost(`parser thread failed: ${err.message}`));
    worker.on('exit', (code) => lost(`parser thread exited (${code})`));
    // After the listeners (attaching a 'message' listener refs the port again): an idle thread never keeps
    // the process alive; `pump` refs it while a parse is in flight.
    worker.unref();
    return worker;
  }

  private pump(): void {
    if (this.current) return;
    const job = this.queue.shift();
    if (!job) {
      this.worker?.unref();
      this.stopWhenIdle();
      return;
    }
    clearTimeout(this.idleTimer);
    const timer = setTimeout(() => {
      const worker = this.worker;
      this.worker = undefined;
      this.finish({ ok: false, reason: 'parse_timeout', detail: 'the message took too long to parse' });
      void worker?.terminate();
    }, this.timeoutMs);
    timer.unref();
    this.current = { ...job, timer };
    this.worker ??= this.spawn();
    this.worker.ref();
    const { body } = job;
    const bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    // A body that owns its memory is moved to the thread rather than copied (the caller is done with it).
    const owned = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    this.worker.postMessage(
      { id: job.id, body: bytes },
      owned && body.buffer instanceof ArrayBuffer ? [body.buffer] : [],
    );
  }

  private stopWhenIdle(): void {
    clearTimeout(this.idleTimer);
    if (!this.worker) return;
    this.idleTimer = setTimeout(() => {
      if (this.current || this.queue.length > 0) return;
      const worker = this.worker;
      this.worker = undefined;
      void worker?.terminate();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private finish(result: ParseResult | PoolRefusal): void {
    const job = this.current;
    if (!job) return;
    this.current = undefined;
    clearTimeout(job.timer);
    job.resolve(result);
    this.pump();
  }
}
