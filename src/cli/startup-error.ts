/**
 * Something outside LeadBridge stops a command from starting (a busy port, Redis not answering): printed
 * as one line that says what and how to fix it, exit code 2, nothing written.
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}
