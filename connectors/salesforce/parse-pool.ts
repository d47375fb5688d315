import { Worker } from 'node:worker_threads';
import type { ParseResult } from './outbound-message.ts';

/** Why a body was not parsed: the pool is full (answer 503, Salesforce retries) or the parse took too long. */
export type PoolRefusal = { ok: false; reason: 'busy' | 'parse_timeout' | 'parse_crashed'; detail: string };

export interface ParsePoolOptions {
  /** Bodies waiting behind the one being parsed; beyond that a request is refused at once. Default 4. */
  maxQueued?: number;
  /** Longest a parse may take, in milliseconds, before the thread is replaced. Default 10,000. */
  timeoutMs?: number;
}

/** What the thread posts: `ready` once its parser is loaded, then one `result` per body. */
type ThreadMessage = { ready: true } | { id: number; result: ParseResult };

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
 * `/healthz` and every other request. The thread is created by `start` (the server calls it as it starts)
 * or on first use, then kept: loading the parser took 1.4–3.1 s on a loaded machine against 13 ms for a
 * parse, and a thread stopped after a quiet spell made the next message (a rep's rejection) wait for that.
 * A thread that took too long is replaced at once. The thread never keeps the process alive.
 */
export class OutboundParsePool {
  private readonly maxQueued: number;
  private readonly timeoutMs: number;
  private worker: Worker | undefined;
  private loaded: Promise<void> = Promise.resolve();
  private closed = false;
  private started = 0;
  private current: (Job & { timer: NodeJS.Timeout }) | undefined;
  private readonly queue: Job[] = [];
  private nextId = 1;

  constructor(options: ParsePoolOptions = {}) {
    this.maxQueued = options.maxQueued ?? 4;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Threads started so far (one, unless one was replaced or died). */
  get threadsStarted(): number {
    return this.started;
  }

  /** Starts the thread ahead of the first message, so that message does not wait for the parser to load. */
  start(): void {
    if (this.closed) return;
    this.worker ??= this.spawn();
  }

  /** Resolves once the current thread has loaded its parser (at once when there is none). */
  ready(): Promise<void> {
    return this.loaded;
  }

  /** Bodies being parsed or waiting. */
  get load(): number {
    return this.queue.length + (this.current ? 1 : 0);
  }

  /** Parses `body`, which the pool may take over: do not read it afterwards. */
  parse(body: Buffer): Promise<ParseResult | PoolRefusal> {
    if (this.closed) return Promise.resolve({ ok: false, reason: 'busy', detail: 'shutting down' });
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
    this.closed = true;
    for (const job of this.queue.splice(0))
      job.resolve({ ok: false, reason: 'busy', detail: 'shutting down' });
    this.finish({ ok: false, reason: 'busy', detail: 'shutting down' });
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: 256 } });
    this.started += 1;
    let loaded: () => void = () => undefined;
    this.loaded = new Promise((resolve) => (loaded = resolve));
    worker.on('message', (message: ThreadMessage) => {
      if ('ready' in message) loaded();
      else if (this.current?.id === message.id) this.finish(message.result);
    });
    worker.once('exit', () => loaded());
    // Only the live thread's death fails the current parse (a replaced one exits quietly).
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
      return;
    }
    const timer = setTimeout(() => {
      const worker = this.worker;
      this.worker = undefined;
      this.finish({ ok: false, reason: 'parse_timeout', detail: 'the message took too long to parse' });
      void worker?.terminate();
      this.start();
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

  private finish(result: ParseResult | PoolRefusal): void {
    const job = this.current;
    if (!job) return;
    this.current = undefined;
    clearTimeout(job.timer);
    job.resolve(result);
    this.pump();
  }
}
