/**
 * `|format` placeholders. The reference formats with the `strfmt` crate,
 * whose placeholder specs follow Python's `str.format` mini-language, not Rust's; this is
 * a port of its scanner and of its string formatting, so that the accepted texts, the
 * refused ones and the padding match. Every error makes the whole result fail (none),
 * never a partial text.
 *
 * The scanner is reproduced state for state, oddities included: a `}` outside a
 * placeholder waits for its twin even across a following `{` (so `}{}}` reads the
 * placeholder `}`), which a cleaner grammar would reject.
 */

/** What `|format` reads from its `StringMap` (the entries are only looked up). */
export interface FormatEntries {
  get(key: string): string | undefined;
}

/** A parsed `[[fill]align][0][width][.precision][s]` spec. */
interface Spec {
  fill: string;
  /** `=` is what a bare `0` before the width means; it fails whenever padding is needed. */
  align: '<' | '>' | '^' | '=';
  /** -1 when absent. */
  width: number;
  /** -1 when absent. */
  precision: number;
}

/**
 * Beyond this many padding characters the reference would exhaust memory trying to build
 * the text; here the placeholder fails instead (a JavaScript string cannot be that long).
 */
const MAX_PADDING = 1 << 28;

/** Largest width or precision `strfmt` parses (an `i64`); more digits are an error. */
const MAX_I64 = 9223372036854775807n;

/**
 * `format` with its `{key}` / `{key:spec}` placeholders replaced by the entries, `{{` and
 * `}}` as literal braces; null on any error (unknown or empty key, `{` inside a
 * placeholder, lone `}`, unclosed `{`, invalid spec).
 *
 * @example
 * ```ts
 * const entries = new Map([['name', 'Ada']]);
 * formatEntries('Hello {name:>5}!', entries); // 'Hello   Ada!'
 * formatEntries('Hello {nobody}', entries); // null
 * ```
 */
export function formatEntries(format: string, entries: FormatEntries): string | null {
  let out = '';
  let reading = false;
  let open = 0;
  let closing = false;
  for (let i = 0; i < format.length; i++) {
    const c = format.charAt(i);
    if (c === '{') {
      if (reading && open === i - 1) {
        out += '{';
        reading = false;
      } else if (!reading) {
        reading = true;
        open = i;
      } else return null;
    } else if (c === '}') {
      if (!reading && !closing) closing = true;
      else if (closing) {
        out += '}';
        closing = false;
      } else {
        const text = placeholder(format.slice(open + 1, i), entries);
        if (text === null) return null;
        out += text;
        reading = false;
      }
    } else if (closing) return null;
    else if (!reading) out += c;
  }
  return closing || reading ? null : out;
}

/** The text of one placeholder body (between the braces), or null on error. */
function placeholder(body: string, entries: FormatEntries): string | null {
  // The key is everything before the first `:`, spaces included, and must not be empty.
  const colon = body.indexOf(':');
  const key = colon === -1 ? body : body.slice(0, colon);
  if (key === '') return null;
  const spec = parseSpec(colon === -1 ? '' : body.slice(colon + 1));
  if (spec === null) return null;
  const value = entries.get(key);
  if (value === undefined) return null;
  return applySpec(value, spec);
}

function isAlign(c: string): c is Spec['align'] {
  return c === '<' || c === '>' || c === '^' || c === '=';
}

/** Parses a spec as `strfmt` does (after CPython's `formatter_unicode.c`), for a string value. */
function parseSpec(spec: string): Spec | null {
  const r: Spec = { fill: ' ', align: '<', width: -1, precision: -1 };
  if (spec === '') return r;
  const first = String.fromCodePoint(spec.codePointAt(0) as number);
  let pos = 0;
  let fillGiven = false;
  let alignGiven = false;
  const second = spec.charAt(first.length);
  if (isAlign(second)) {
    r.fill = first;
    r.align = second;
    fillGiven = alignGiven = true;
    pos = first.length + 1;
  } else if (isAlign(first)) {
    r.align = first;
    alignGiven = true;
    pos = 1;
  }
  // Signs (a space is one), the alternate form and thousands separators are refused for strings.
  let c = spec.charAt(pos);
  if (c === '+' || c === '-' || c === ' ' || c === '#') return null;
  if (!fillGiven && c === '0') {
    r.fill = '0';
    if (!alignGiven) r.align = '=';
    pos++;
  }
  const width = readInteger(spec, pos);
  if (width !== undefined) {
    if (width.value === null) return null;
    r.width = width.value;
    pos = width.end;
  }
  c = spec.charAt(pos);
  if (c === ',') return null;
  if (c === '.') {
    const precision = readInteger(spec, pos + 1);
    if (precision === undefined || precision.value === null) return null;
    r.precision = precision.value;
    pos = precision.end;
  }
  // Only the string type `s` (or none) may remain.
  const rest = spec.slice(pos);
  return rest === '' || rest === 's' ? r : null;
}

/**
 * The decimal digits at `pos`: undefined when there are none, a null value when they
 * overflow an `i64`. Values past 2^53 are clamped, which changes nothing: no text is
 * that long.
 */
function readInteger(s: string, pos: number): { value: number | null; end: number } | undefined {
  let end = pos;
  while (end < s.length && s.charCodeAt(end) >= 0x30 && s.charCodeAt(end) <= 0x39) end++;
  if (end === pos) return undefined;
  const digits = s.slice(pos, end);
  if (digits.length < 16) return { value: Number(digits), end };
  const big = BigInt(digits);
  if (big > MAX_I64) return { value: null, end };
  return { value: big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(big), end };
}

/** Truncates to the precision and pads to the width, counting characters (code points). */
function applySpec(value: string, spec: Spec): string | null {
  if (spec.width < 0 && spec.precision < 0) return value;
  let text = value;
  let length: number;
  if (spec.precision >= 0) {
    const chars = Array.from(value);
    length = Math.min(chars.length, spec.precision);
    if (length < chars.length) text = chars.slice(0, length).join('');
  } else length = countChars(value);
  if (spec.width <= length) return text;
  const pad = spec.width - length;
  if (spec.align === '=' || pad > MAX_PADDING) return null;
  switch (spec.align) {
    case '<':
      return text + spec.fill.repeat(pad);
    case '>':
      return spec.fill.repeat(pad) + text;
    default: {
      const left = Math.floor(pad / 2);
      return spec.fill.repeat(left) + text + spec.fill.repeat(pad - left);
    }
  }
}

/** Number of code points of `s`. */
function countChars(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    // A high surrogate followed by a low one is a single character.
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}
