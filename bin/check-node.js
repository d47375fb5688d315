// `npm test` runs this first: on a Node too old for LeadBridge (and no bundled one, which npm scripts would
// have put first on PATH), say why at once instead of failing tests for minutes.
import { isRecentEnough, tooOldMessage } from './modern-node.js';

if (!isRecentEnough()) {
  console.error(tooOldMessage());
  process.exit(2);
}
