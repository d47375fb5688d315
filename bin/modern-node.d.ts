// Types for modern-node.js, which stays plain JavaScript because it must run on any Node.
/** The oldest Node LeadBridge runs on, as [major, minor, patch]. */
export const MINIMUM_NODE: readonly [number, number, number];
/** Whether a Node version ("22.19.0", default the running one) is at least MINIMUM_NODE. */
export function isRecentEnough(version?: string): boolean;
/** The path of the Node binary from the optional node-linux-<arch> dependency, or null. */
export function bundledNode(): string | null;
/** What to tell a user whose Node is too old when there is no bundled one. */
export function tooOldMessage(): string;
