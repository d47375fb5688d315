// Loaded with `node --import` (NODE_OPTIONS) by tests that check what a command loads: appends the URL of
// every module the process loads (ES modules and CommonJS alike) to the file LEADBRIDGE_TEST_MODULE_LOG names.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const logFile = process.env.LEADBRIDGE_TEST_MODULE_LOG;
if (logFile) {
  registerHooks({
    load(url, context, nextLoad) {
      appendFileSync(logFile, `${url}\n`);
      return nextLoad(url, context);
    },
  });
}
