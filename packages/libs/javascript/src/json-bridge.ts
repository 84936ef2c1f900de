/**
 * The little this package needs of `json::Json` values, without importing `@tutti/lib-json`
 * (libraries build on core and std only, scripts/check-deps.mjs): a `Json` value's
 * `toString()` is its compact JSON text (trait `ToString`, libraries §7.1), and its class
 * has a static `parse(text)` giving a `Json` value or null (strict parse, same limits as
 * `json::|to_json`). Every `Json` this package outputs answers one it received, so the
 * class is always at hand.
 */

/** A `json::Json` value as seen from here. */
export interface JsonLike {
  /** Compact JSON text. */
  toString(): string;
}

interface JsonClass {
  parse(text: string): JsonLike | null;
}

/** Compact JSON text of a `Json` value. */
export function jsonText(v: unknown): string {
  return String(v);
}

/**
 * The `Json` value of `text`, of the same class as `sample` (a received `Json`), or null
 * when `text` is not JSON the `Json` type accepts (e.g. nested deeper than 128).
 */
export function jsonLike(sample: unknown, text: string): JsonLike | null {
  const cls = (sample as { constructor?: Partial<JsonClass> } | null | undefined)?.constructor;
  if (typeof cls?.parse !== 'function') throw new Error('javascript: received a value that is not a json::Json');
  return cls.parse(text);
}
