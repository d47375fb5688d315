/** A reference in the config file to an environment variable that is not set and has no default. */
export interface MissingVariable {
  path: (string | number)[];
  name: string;
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string of a parsed YAML tree. Works on the tree,
 * not the text, so a value can never break the YAML around it and every problem keeps its path.
 */
export function interpolateEnv(
  tree: unknown,
  env: Record<string, string | undefined>,
): { value: unknown; missing: MissingVariable[] } {
  const missing: MissingVariable[] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      return node.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
        const value = env[name];
        if (value !== undefined && value !== '') return value;
        if (fallback !== undefined) return fallback;
        missing.push({ path, name });
        return '';
      });
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(
        Object.entries(node).map(([key, value]) => [key, walk(value, [...path, key])]),
      );
    }
    return node;
  };
  return { value: walk(tree, []), missing };
}
