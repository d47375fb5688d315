import type { EmulatorCounts } from './emulator-control.ts';

/** Queue counts shown once the workers run (waiting + delayed, active). */
export interface QueueCounts {
  [queue: string]: { waiting: number; active: number };
}

export interface ProgressSources {
  counts(): Promise<EmulatorCounts>;
  /** Undefined until the workers (and their queues) exist. */
  queues?: (() => Promise<QueueCounts>) | undefined;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** How often the live line is redrawn on a terminal, in milliseconds. */
const REDRAW_MS = 150;
/** How often the emulators and queues are asked for counts, in milliseconds. */
const SAMPLE_MS = 500;

export function formatCounts(counts: EmulatorCounts, queues?: QueueCounts): string {
  const parts = [
    `HubSpot: ${counts.hubspotContacts} contacts, ${counts.hubspotCalls} API calls`,
    `Salesforce: ${counts.salesforceLeads} leads, ${counts.salesforceCalls} API calls`,
  ];
  if (queues) {
    parts.push(
      `queues: ${Object.entries(queues)
        .map(([name, count]) => `${name} ${count.waiting}${count.active ? `+${count.active} running` : ''}`)
        .join(', ')}`,
    );
  }
  return parts.join(' | ');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The demo's progress: one line per step, ✔ or ✘ when it ends, with its outcome. On a terminal a live
 * line under the steps shows a spinner and the emulators' counts while a step runs; anywhere else (CI,
 * a pipe) only plain finished lines are printed, and counts are printed when asked.
 */
export class Progress {
  readonly #write: (text: string) => void;
  readonly #tty: boolean;
  #sources: ProgressSources | undefined;
  #lastCounts = '';
  #frame = 0;
  #label = '';
  #redraw: NodeJS.Timeout | undefined;
  #sample: NodeJS.Timeout | undefined;

  readonly #columns: () => number;

  /** `columns`: the terminal's width, so the live lines never wrap (a wrapped line cannot be erased). */
  constructor(write: (text: string) => void, tty: boolean, columns: () => number = () => 100) {
    this.#write = write;
    this.#tty = tty;
    this.#columns = columns;
  }

  get tty(): boolean {
    return this.#tty;
  }

  /** Where counts come from once the emulators (and later the queues) exist. */
  attach(sources: ProgressSources): void {
    this.#sources = sources;
  }

  line(text = ''): void {
    this.#clear();
    this.#write(`${text}\n`);
    this.#draw();
  }

  /** Runs a step; its result's text is printed after the ✔. A thrown error prints ✘ and rethrows. */
  async step<T>(label: string, run: () => Promise<T>, outcome: (value: T) => string): Promise<T> {
    const started = Date.now();
    this.#start(label);
    try {
      const value = await run();
      this.#stop();
      this.line(`✔ ${label}: ${outcome(value)} (${seconds(Date.now() - started)})`);
      return value;
    } catch (error) {
      this.#stop();
      this.line(`✘ ${label}: ${(error as Error).message} (${seconds(Date.now() - started)})`);
      throw error;
    }
  }

  /** The current counts as one line (printed in plain mode at the end of each phase). */
  async snapshot(): Promise<string> {
    if (!this.#sources) return '';
    const [counts, queues] = await Promise.all([this.#sources.counts(), this.#sources.queues?.()]);
    return formatCounts(counts, queues);
  }

  #start(label: string): void {
    this.#label = label;
    if (!this.#tty) return;
    const sample = async () => {
      try {
        this.#lastCounts = await this.snapshot();
      } catch {
        // A count that cannot be read this time is shown next time; the step itself is what matters.
      }
    };
    void sample();
    this.#sample = setInterval(() => void sample(), SAMPLE_MS);
    this.#redraw = setInterval(() => {
      this.#frame = (this.#frame + 1) % SPINNER.length;
      this.#clear();
      this.#draw();
    }, REDRAW_MS);
    this.#draw();
  }

  #stop(): void {
    clearInterval(this.#redraw);
    clearInterval(this.#sample);
    this.#redraw = undefined;
    this.#sample = undefined;
    this.#clear();
    this.#label = '';
  }

  #draw(): void {
    if (!this.#tty || !this.#label) return;
    const width = Math.max(20, this.#columns() - 1);
    const fit = (text: string) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);
    const head = fit(`${SPINNER[this.#frame]} ${this.#label}...`);
    this.#write(`${head}\n\u001b[2m${fit(`  ${this.#lastCounts}`)}\u001b[0m`);
  }

  /** Erases the live lines (the spinner line and the counts line under it). */
  #clear(): void {
    if (!this.#tty || !this.#label) return;
    this.#write('\r\u001b[2K\u001b[1A\r\u001b[2K');
  }
}
