/** What {@link CompactStringMap.put} found: the key was new, held that value already, or another one. */
export type PutResult = 'added' | 'unchanged' | 'changed';

/** Bytes of an entry's header: key length, then value length (16 bits each). */
const HEADER = 4;
const MAX_PART = 0xffff;
/** The table doubles when it is half full, so probe runs stay short. */
const MAX_LOAD = 0.5;

/**
 * An exact map from string keys to string values for the sets a long run keeps of everything it has
 * seen (the backfill's record ids and versions, the distinct leads of its summary). A JS `Map` of
 * strings costs about 100 bytes per entry on the V8 heap (two string objects, the table), and V8 lets
 * the heap grow to twice what is live after a full GC (src/cli/batch-heap.ts), so each entry cost
 * about 200 bytes of resident memory: 20 MB per 100,000 records, per set. Here keys and values are
 * UTF-8 bytes in one growable arena, indexed by an open-addressing table of offsets: 8-16 bytes of
 * table plus 4 + the bytes themselves (about 37 for a HubSpot id and an ISO instant), off the V8 heap.
 *
 * A value that changes is appended again (the old bytes stay in the arena, unused): cheap for what
 * this serves, where a value changes only for a record modified while the run reads.
 */
export class CompactStringMap {
  readonly #encoder = new TextEncoder();
  #arena = new Uint8Array(1 << 16);
  #used = 0;
  /** Entry offset + 1 per slot (0: empty). */
  #slots = new Int32Array(1 << 10);
  #size = 0;
  #scratch = new Uint8Array(256);

  /** Distinct keys held. */
  get size(): number {
    return this.#size;
  }

  /** Bytes held in typed arrays (arena and table), for tests and logs. */
  get byteLength(): number {
    return this.#arena.byteLength + this.#slots.byteLength;
  }

  /** Sets `key` to `value` (default empty: a set) and says whether it was new, the same or different. */
  put(key: string, value = ''): PutResult {
    const keyLength = this.#encode(key, 0);
    const valueLength = this.#encode(value, keyLength);
    const hash = fnv1a(this.#scratch, 0, keyLength);
    const mask = this.#slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const stored = this.#slots[slot] as number;
      if (stored === 0) {
        this.#slots[slot] = this.#append(keyLength, valueLength) + 1;
        this.#size += 1;
        if (this.#size > this.#slots.length * MAX_LOAD) this.#grow();
        return 'added';
      }
      if (!this.#keyEquals(stored - 1, keyLength)) continue;
      if (this.#valueEquals(stored - 1, keyLength, valueLength)) return 'unchanged';
      this.#slots[slot] = this.#append(keyLength, valueLength) + 1;
      return 'changed';
    }
  }

  /** UTF-8 of `text` into the scratch buffer at `at`; its length in bytes. */
  #encode(text: string, at: number): number {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const need = at + text.length * 3;
    if (need > this.#scratch.length) {
      const larger = new Uint8Array(Math.max(need, this.#scratch.length * 2));
      larger.set(this.#scratch.subarray(0, at));
      this.#scratch = larger;
    }
    const scratch = this.#scratch;
    let written = 0;
    // ASCII (ids, instants, lead keys) byte by byte: no view to allocate, no call out of JS.
    for (; written < text.length; written++) {
      const code = text.charCodeAt(written);
      if (code >= 0x80) break;
      scratch[at + written] = code;
    }
    if (written < text.length) written = this.#encoder.encodeInto(text, scratch.subarray(at)).written;
    if (written > MAX_PART) throw new RangeError(`CompactStringMap: a key or value over ${MAX_PART} bytes`);
    return written;
  }

  /** Appends the scratch key and value as an entry; its offset. */
  #append(keyLength: number, valueLength: number): number {
    const length = HEADER + keyLength + valueLength;
    if (this.#used + length > this.#arena.length) {
      const larger = new Uint8Array(Math.max(this.#arena.length * 2, this.#used + length));
      larger.set(this.#arena.subarray(0, this.#used));
      this.#arena = larger;
    }
    const at = this.#used;
    const arena = this.#arena;
    arena[at] = keyLength >> 8;
    arena[at + 1] = keyLength & 0xff;
    arena[at + 2] = valueLength >> 8;
    arena[at + 3] = valueLength & 0xff;
    const scratch = this.#scratch;
    for (let i = 0; i < keyLength + valueLength; i++) arena[at + HEADER + i] = scratch[i] as number;
    this.#used += length;
    return at;
  }

  #keyEquals(entry: number, keyLength: number): boolean {
    const arena = this.#arena;
    if (((arena[entry] as number) << 8) + (arena[entry + 1] as number) !== keyLength) return false;
    return bytesEqual(arena, entry + HEADER, this.#scratch, 0, keyLength);
  }

  #valueEquals(entry: number, keyLength: number, valueLength: number): boolean {
    const arena = this.#arena;
    if (((arena[entry + 2] as number) << 8) + (arena[entry + 3] as number) !== valueLength) return false;
    return bytesEqual(arena, entry + HEADER + keyLength, this.#scratch, keyLength, valueLength);
  }

  #grow(): void {
    const slots = new Int32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    const arena = this.#arena;
    for (const stored of this.#slots) {
      if (stored === 0) continue;
      const entry = stored - 1;
      const keyLength = ((arena[entry] as number) << 8) + (arena[entry + 1] as number);
      let slot = fnv1a(arena, entry + HEADER, keyLength) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = stored;
    }
    this.#slots = slots;
  }
}

function bytesEqual(a: Uint8Array, at: number, b: Uint8Array, bt: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[at + i] !== b[bt + i]) return false;
  return true;
}

/**
 * 32-bit FNV-1a of `length` bytes from `at`, then murmur3's finalizer: FNV's low bits (the table's
 * index) mix poorly for keys that differ only in their last digits, as sequential ids do.
 */
function fnv1a(bytes: Uint8Array, at: number, length: number): number {
  let hash = 0x811c9dc5;
  for (let i = at; i < at + length; i++) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}
