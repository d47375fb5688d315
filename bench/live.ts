// LeadBridge running as an operator runs it: one `leadbridge serve` (webhooks in) and N `leadbridge worker`
// processes, each its own OS process on the rig's config and Redis prefix.
import { spawnCli, waitForOutput, type Cli, type Rig } from './harness.ts';

export interface Live {
  server: Cli | null;
  workers: Cli[];
  /** Peak RSS of each worker so far, in bytes. */
  workerPeakRss(): number[];
  stop(): Promise<void>;
}

export async function startLive(rig: Rig, options: { workers: number; serverPort?: number }): Promise<Live> {
  const started: Cli[] = [];
  try {
    let server: Cli | null = null;
    if (options.serverPort !== undefined) {
      server = spawnCli(['serve', '--config', rig.configFile, '--port', String(options.serverPort)], rig.env);
      started.push(server);
      await waitForOutput(server, /leadbridge listening on/);
    }
    const workers = Array.from({ length: options.workers }, () =>
      spawnCli(['worker', '--config', rig.configFile], rig.env),
    );
    started.push(...workers);
    for (const worker of workers) await waitForOutput(worker, /workers running/);
    return {
      server,
      workers,
      workerPeakRss: () => workers.map((worker) => worker.peakRss()),
      async stop() {
        await Promise.all(started.map((cli) => cli.stop()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((cli) => cli.stop()));
    throw error;
  }
}
