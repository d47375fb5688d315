import type { Command } from 'commander';
import { portNumber, wholeNumber } from '../argument-parsers.ts';
import { UsageError } from '../usage-error.ts';

/** Adds `leadbridge demo` to the program. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'run the whole product on this machine with no accounts: emulators, server, workers, a scripted story and a summary',
    )
    .option(
      '--port <port>',
      'LeadBridge server port (default PORT or 3000 when free, 0: a free one)',
      portNumber,
    )
    .option('--keep-running', 'leave everything up for exploring until Ctrl+C')
    .option('--seed <n>', 'seed of the generated contacts and leads', wholeNumber, 1)
    .action(async (options: { port?: number; keepRunning?: boolean; seed: number }, command: Command) => {
      // The demo (emulators, server, workers) loads only when it runs, not for every `leadbridge --help`.
      const [{ runDemo }, { runCommand, untilSignal }, { RedisUnavailableError }] = await Promise.all([
        import('../commands/demo.ts'),
        import('../command-runner.ts'),
        import('./private-redis.ts'),
      ]);
      await runCommand(command.optsWithGlobals(), async ({ env }) => {
        let stopped: Promise<unknown> | undefined;
        try {
          return await runDemo(
            { port: options.port, keepRunning: options.keepRunning ?? false, seed: options.seed },
            env,
            {
              write: (text) => process.stdout.write(text),
              tty: process.stdout.isTTY === true,
              columns: () => process.stdout.columns ?? 100,
              untilStopped: () => (stopped ??= untilSignal()),
            },
          );
        } catch (error) {
          if (error instanceof RedisUnavailableError) throw new UsageError(error.message);
          throw error;
        }
      });
    });
}
