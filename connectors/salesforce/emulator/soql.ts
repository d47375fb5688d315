import { parseQuery } from '@jetstreamapp/soql-parser-js';
import { parseSfDateTime } from './datetime.ts';
import { toId18 } from './ids.ts';
import { fieldDef, OBJECTS, relationshipName, type FieldDef } from './objects.ts';
import { RequestError, type Row, type SfValue } from './validation.ts';

/**
 * The SOQL subset the connector (and a person trying the emulator) uses: field lists (with parent
 * fields through relationships, `ConvertedContact.Email`), COUNT(), WHERE with AND / OR / NOT and parentheses, = != < <= > >= LIKE IN NOT IN, string, number, boolean, null and
 * date-time literals, ORDER BY several fields with NULLS FIRST/LAST, LIMIT and OFFSET.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm
 */
export interface CompiledQuery {
  object: string;
  /** The selected fields, or 'COUNT' for SELECT COUNT(). */
  fields: SelectedField[] | 'COUNT';
  where: Expr | undefined;
  orderBy: Array<{ field: FieldDef; desc: boolean; nullsLast: boolean }>;
  limit: number | undefined;
  offset: number | undefined;
}

/**
 * A selected field: `name` (canonical) on the queried object, or on the parent reached through
 * `relationships` (each the canonical relationship name and the object it leads to).
 */
export interface SelectedField {
  relationships: Array<{ name: string; via: FieldDef }>;
  name: string;
}

type Literal = { type: 'string' | 'number' | 'boolean' | 'null' | 'datetime' | 'date'; value: SfValue };

type Expr =
  | { kind: 'cond'; field: FieldDef; op: string; values: Literal[] }
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr };

type Token = '(' | ')' | 'AND' | 'OR' | 'NOT' | { cond: Record<string, unknown> };

/**
 * "The maximum length for a SOQL statement is 100,000 characters": a longer one is refused before it is
 * parsed (a long `IN (...)` list is how a client gets there).
 * https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_soslsoql.htm
 */
export const MAX_SOQL_CHARS = 100_000;

export function compileQuery(soql: string, absent?: ReadonlySet<string>): CompiledQuery {
  if (soql.length > MAX_SOQL_CHARS) {
    throw new RequestError(
      'MALFORMED_QUERY',
      `SOQL statements cannot be longer than ${MAX_SOQL_CHARS} characters; this one has ${soql.length}`,
    );
  }
  let parsed: ReturnType<typeof parseQuery>;
  try {
    parsed = parseQuery(soql);
  } catch (err) {
    throw new RequestError('MALFORMED_QUERY', `unexpected token: ${(err as Error).message.split('\n')[0]}`);
  }
  const object = parsed.sObject ?? '';
  const def = OBJECTS[object];
  if (!def) throw new RequestError('INVALID_TYPE', `sObject type '${object}' is not supported.`);
  const resolve = (name: string): FieldDef => {
    const found = fieldDef(object, name, absent);
    if (!found) throw new RequestError('INVALID_FIELD', `No such column '${name}' on entity '${object}'.`);
    return found;
  };
  const selected = parsed.fields ?? [];
  let fields: SelectedField[] | 'COUNT';
  if (
    selected.length === 1 &&
    selected[0]?.type === 'FieldFunctionExpression' &&
    selected[0].functionName === 'COUNT'
  ) {
    fields = 'COUNT';
  } else {
    fields = selected.map((f): SelectedField => {
      if (f.type === 'Field') return { relationships: [], name: resolve(f.field).name };
      if (f.type === 'FieldRelationship') return parentField(object, f.relationships, f.field, absent);
      throw new RequestError('MALFORMED_QUERY', `unsupported select item: ${JSON.stringify(f)}`);
    });
  }
  const where = parsed.where ? parseTokens(tokens(parsed.where as unknown as WhereNode), resolve) : undefined;
  const orderBy = (
    parsed.orderBy ? (Array.isArray(parsed.orderBy) ? parsed.orderBy : [parsed.orderBy]) : []
  ).map((clause) => {
    if (!('field' in clause) || !clause.field)
      throw new RequestError('MALFORMED_QUERY', 'unsupported ORDER BY');
    const desc = clause.order === 'DESC';
    return { field: resolve(clause.field), desc, nullsLast: clause.nulls ? clause.nulls === 'LAST' : desc };
  });
  return {
    object,
    fields,
    where,
    orderBy,
    limit: typeof parsed.limit === 'number' ? parsed.limit : undefined,
    offset: typeof parsed.offset === 'number' ? parsed.offset : undefined,
  };
}

/** Filters, sorts and cuts `rows`; `scanAll` (queryAll) keeps deleted rows, as the recycle bin does. */
export function runQuery(query: CompiledQuery, rows: Row[], scanAll: boolean): Row[] {
  let result = rows.filter(
    (row) => (scanAll || !row.IsDeleted) && (!query.where || evaluate(query.where, row)),
  );
  if (query.orderBy.length > 0) {
    result = [...result].sort((a, b) => {
      for (const { field, desc, nullsLast } of query.orderBy) {
        const av = a[field.name] ?? null;
        const bv = b[field.name] ?? null;
        if (av === null || bv === null) {
          if (av === bv) continue;
          return (av === null) === nullsLast ? 1 : -1;
        }
        const c = compareValues(field, av, bv);
        if (c !== 0) return desc ? -c : c;
      }
      return 0;
    });
  }
  const start = query.offset ?? 0;
  return result.slice(start, query.limit !== undefined ? start + query.limit : undefined);
}

/** Salesforce's answer to a relationship name the object does not have. */
function unknownRelationship(name: string): RequestError {
  return new RequestError(
    'INVALID_FIELD',
    `Didn't understand relationship '${name}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

/**
 * A parent field (`ConvertedContact.Email`): each relationship is a lookup of the object before it,
 * named as `describe` names it (`relationshipName`); the field must exist on the last parent (on every
 * object a polymorphic lookup may point at). Salesforce allows five levels.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_using.htm
 */
function parentField(
  object: string,
  relationships: string[],
  name: string,
  absent?: ReadonlySet<string>,
): SelectedField {
  if (relationships.length > 5)
    throw new RequestError('MALFORMED_QUERY', 'A query can reach at most 5 levels of parent relationships.');
  let targets = [object];
  const walked: SelectedField['relationships'] = [];
  for (const relationship of relationships) {
    const lower = relationship.toLowerCase();
    const via = OBJECTS[targets[0] as string]?.fields.find(
      (f) => f.type === 'reference' && relationshipName(f)?.toLowerCase() === lower,
    );
    if (!via || targets.length > 1) throw unknownRelationship(relationship);
    walked.push({ name: relationshipName(via) as string, via });
    targets = via.referenceTo ?? [];
  }
  const found = targets.map((target) => fieldDef(target, name, absent));
  const missing = targets.find((_, i) => !found[i]);
  if (missing !== undefined || !found[0])
    throw new RequestError('INVALID_FIELD', `No such column '${name}' on entity '${missing ?? object}'.`);
  return { relationships: walked, name: found[0].name };
}

/**
 * A row projected to the selected fields, with `attributes` as the REST API adds them. A parent comes
 * as a nested record with its own `attributes`, or null when the lookup is empty; `parent` finds a
 * record by id (a deleted one only for queryAll).
 */
export function project(
  query: CompiledQuery,
  row: Row,
  baseUrl: string,
  parent: (id: string) => { type: string; row: Row } | undefined = () => undefined,
): Record<string, unknown> {
  const record = (type: string, of: Row): Record<string, unknown> => ({
    attributes: { type, url: `${baseUrl}/sobjects/${type}/${String(of.Id)}` },
  });
  const out = record(query.object, row);
  if (query.fields === 'COUNT') return out;
  for (const selected of query.fields) {
    let source: Row | undefined = row;
    let target = out;
    for (const { name, via } of selected.relationships) {
      const existing = target[name];
      if (existing === null) {
        source = undefined;
        break;
      }
      const id: unknown = source?.[via.name];
      const found: { type: string; row: Row } | undefined = typeof id === 'string' ? parent(id) : undefined;
      if (!found) {
        target[name] = null;
        source = undefined;
        break;
      }
      target[name] ??= record(found.type, found.row);
      target = target[name] as Record<string, unknown>;
      source = found.row;
    }
    if (source) target[selected.name] = source[selected.name] ?? null;
  }
  return out;
}

interface WhereNode {
  left?: Record<string, unknown> | null;
  operator?: string;
  right?: WhereNode;
}

/** The parser returns a right-leaning chain with paren counts; flatten it into tokens. */
function tokens(node: WhereNode | undefined, out: Token[] = []): Token[] {
  if (!node) return out;
  if (node.left) {
    const open = Number(node.left.openParen ?? 0);
    const close = Number(node.left.closeParen ?? 0);
    for (let i = 0; i < open; i += 1) out.push('(');
    out.push({ cond: node.left });
    for (let i = 0; i < close; i += 1) out.push(')');
  }
  if (node.operator === 'AND' || node.operator === 'OR' || node.operator === 'NOT') out.push(node.operator);
  return tokens(node.right, out);
}

function parseTokens(list: Token[], resolve: (name: string) => FieldDef): Expr {
  let position = 0;
  const peek = () => list[position];
  const orExpr = (): Expr => {
    let left = andExpr();
    while (peek() === 'OR') {
      position += 1;
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  };
  const andExpr = (): Expr => {
    let left = unary();
    while (peek() === 'AND') {
      position += 1;
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): Expr => {
    const token = peek();
    position += 1;
    if (token === 'NOT') return { kind: 'not', expr: unary() };
    if (token === '(') {
      const inner = orExpr();
      if (peek() !== ')') throw new RequestError('MALFORMED_QUERY', 'unbalanced parentheses');
      position += 1;
      return inner;
    }
    if (token && typeof token === 'object') return condition(token.cond, resolve);
    throw new RequestError('MALFORMED_QUERY', 'unexpected end of WHERE clause');
  };
  const expr = orExpr();
  if (position !== list.length) throw new RequestError('MALFORMED_QUERY', 'unexpected token in WHERE clause');
  return expr;
}

function condition(cond: Record<string, unknown>, resolve: (name: string) => FieldDef): Expr {
  if (typeof cond.field !== 'string') throw new RequestError('MALFORMED_QUERY', 'unsupported condition');
  const field = resolve(cond.field);
  const op = String(cond.operator).toUpperCase();
  const literalType = String(cond.literalType ?? 'STRING');
  const raw = Array.isArray(cond.value) ? cond.value : [cond.value];
  const values = raw.map((value) => literal(String(value), literalType, field));
  if (!['=', '!=', '<>', '<', '<=', '>', '>=', 'LIKE', 'IN', 'NOT IN'].includes(op)) {
    throw new RequestError('MALFORMED_QUERY', `unsupported operator ${op}`);
  }
  return { kind: 'cond', field, op: op === '<>' ? '!=' : op, values };
}

function literal(raw: string, literalType: string, field: FieldDef): Literal {
  switch (literalType) {
    case 'STRING': {
      const text = raw.replace(/^'|'$/g, '').replace(/\\(.)/g, '$1');
      const isId = field.type === 'id' || field.type === 'reference';
      return { type: 'string', value: isId && text.length === 15 ? toId18(text) : text };
    }
    case 'INTEGER':
    case 'DECIMAL':
      return { type: 'number', value: Number(raw) };
    case 'BOOLEAN':
      return { type: 'boolean', value: raw.toUpperCase() === 'TRUE' };
    case 'NULL':
      return { type: 'null', value: null };
    case 'DATETIME':
      return { type: 'datetime', value: parseSfDateTime(raw) };
    case 'DATE':
      return { type: 'date', value: raw };
    default:
      throw new RequestError('MALFORMED_QUERY', `unsupported literal ${raw} (${literalType})`);
  }
}

function evaluate(expr: Expr, row: Row): boolean {
  switch (expr.kind) {
    case 'and':
      return evaluate(expr.left, row) && evaluate(expr.right, row);
    case 'or':
      return evaluate(expr.left, row) || evaluate(expr.right, row);
    case 'not':
      return !evaluate(expr.expr, row);
    case 'cond': {
      const value = row[expr.field.name] ?? null;
      const matches = (lit: Literal) =>
        test(expr.field, expr.op === 'NOT IN' ? '=' : expr.op === 'IN' ? '=' : expr.op, value, lit);
      if (expr.op === 'IN') return expr.values.some(matches);
      if (expr.op === 'NOT IN') return !expr.values.some(matches);
      const first = expr.values[0];
      return first ? matches(first) : false;
    }
  }
}

function test(field: FieldDef, op: string, value: SfValue, lit: Literal): boolean {
  if (lit.type === 'null') return op === '=' ? value === null : op === '!=' ? value !== null : false;
  if (value === null) return op === '!=';
  if (op === 'LIKE') {
    const pattern = String(lit.value)
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/%/g, '.*')
      .replace(/_/g, '.');
    return new RegExp(`^${pattern}$`, 'is').test(String(value));
  }
  const c = compareValues(field, value, lit.value ?? '');
  switch (op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    default:
      return false;
  }
}

/** Compares by the field's type: instants by time, ids byte-wise, other text case-insensitively. */
function compareValues(field: FieldDef, a: SfValue | number, b: SfValue | number): number {
  switch (field.type) {
    case 'datetime': {
      const x = typeof a === 'number' ? a : parseSfDateTime(String(a));
      const y = typeof b === 'number' ? b : parseSfDateTime(String(b));
      return Math.sign(x - y);
    }
    case 'double':
    case 'int':
    case 'currency':
      return Math.sign(Number(a) - Number(b));
    case 'boolean':
      return Number(a === true || a === 'true') - Number(b === true || b === 'true');
    case 'id':
    case 'reference': {
      const x = String(a);
      const y = String(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    default: {
      const x = String(a).toLowerCase();
      const y = String(b).toLowerCase();
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}
