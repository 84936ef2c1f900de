/**
 * Index tables of the multi-byte encodings (WHATWG Encoding Standard §5), derived lazily
 * from Node's ICU decoders by decoding the byte space, instead of shipping megabytes of
 * data. Where ICU departs from the standard the derivation corrects it:
 *
 * - EUC-KR: the standard's index is windows-949; ICU decodes only the KS X 1001 square.
 *   The 8,822 extra syllables are placed algorithmically (they fill the extension area in
 *   code point order), ICU's private-use user-defined rows are dropped, and the three
 *   KS X 1001:1998/2002 additions (€, ®, ㉾) are added.
 * - Shift_JIS and jis0208: ICU's table is the standard's (windows-31j); the private-use
 *   range the decoder computes itself is left out of the index.
 * - Big5: ICU lacks the HKSCS part of the standard's index (it decodes those bytes to
 *   private use), so those characters stay unmapped (documented deviation).
 *
 * Each table maps a pointer to a code point (0 = no entry).
 */

const isPrivateUse = (cp: number) => cp >= 0xe000 && cp <= 0xf8ff;

/** Decodes each pair `[lead, trail]` alone; the code point, or 0 when not exactly one character. */
function decodePairs(encoding: string, size: number, bytesOf: (pointer: number) => readonly [number, number] | undefined): Uint32Array {
  const decoder = new TextDecoder(encoding);
  const table = new Uint32Array(size);
  const pair = new Uint8Array(2);
  for (let p = 0; p < size; p++) {
    const bytes = bytesOf(p);
    if (bytes === undefined) continue;
    pair[0] = bytes[0];
    pair[1] = bytes[1];
    const s = decoder.decode(pair);
    const cp = s.codePointAt(0) ?? 0;
    if (cp !== 0xfffd && s.length === (cp > 0xffff ? 2 : 1)) table[p] = cp;
  }
  return table;
}

let jis0208: Uint32Array | undefined;

/** Index jis0208: pointers 0–11279 (94 × 120 rows, as Shift_JIS addresses them). */
export function jis0208Index(): Uint32Array {
  jis0208 ??= decodePairs('shift_jis', 11280, (p) => {
    if (p >= 8836 && p <= 10715) return undefined; // decoded to private use by the decoder itself
    const lead = Math.floor(p / 188);
    const trail = p % 188;
    return [lead + (lead < 0x1f ? 0x81 : 0xc1), trail + (trail < 0x3f ? 0x40 : 0x41)];
  });
  return jis0208;
}

let eucKr: Uint32Array | undefined;

/** Index EUC-KR (windows-949): pointer = (lead − 0x81) × 190 + (trail − 0x41). */
export function eucKrIndex(): Uint32Array {
  if (eucKr !== undefined) return eucKr;
  const table = decodePairs('euc-kr', 23940, (p) => {
    const lead = Math.floor(p / 190) + 0x81;
    const trail = (p % 190) + 0x41;
    return lead >= 0xa1 && trail >= 0xa1 ? [lead, trail] : undefined;
  });
  for (let p = 0; p < table.length; p++) if (isPrivateUse(table[p]!)) table[p] = 0;
  const pointer = (lead: number, trail: number) => (lead - 0x81) * 190 + (trail - 0x41);
  table[pointer(0xa2, 0xe6)] = 0x20ac;
  table[pointer(0xa2, 0xe7)] = 0x00ae;
  table[pointer(0xa2, 0xe8)] = 0x327e;
  // Unified Hangul Code: the syllables KS X 1001 lacks, in order, across the extension area.
  const inKs = new Set<number>();
  for (const cp of table) if (cp >= 0xac00 && cp <= 0xd7a3) inKs.add(cp);
  let syllable = 0xac00;
  const next = () => {
    while (syllable <= 0xd7a3 && inKs.has(syllable)) syllable++;
    return syllable <= 0xd7a3 ? syllable++ : 0;
  };
  for (let lead = 0x81; lead <= 0xc6; lead++) {
    const ranges: [number, number][] = [
      [0x41, 0x5a],
      [0x61, 0x7a],
      [0x81, lead < 0xa1 ? 0xfe : 0xa0],
    ];
    for (const [lo, hi] of ranges) for (let t = lo; t <= hi; t++) table[pointer(lead, t)] = next();
  }
  eucKr = table;
  return table;
}

let gb2: Uint32Array | undefined;

/** Index gb18030 (two-byte part): pointer = (lead − 0x81) × 190 + trail − (trail < 0x7F ? 0x40 : 0x41). */
export function gb18030Index(): Uint32Array {
  gb2 ??= decodePairs('gb18030', 23940, (p) => {
    const trail = p % 190;
    return [Math.floor(p / 190) + 0x81, trail + (trail < 0x3f ? 0x40 : 0x41)];
  });
  return gb2;
}

let gb4: Map<number, number> | undefined;

/** Four-byte gb18030 pointers of BMP code points (the "ranges" index), by code point. */
export function gb18030RangesPointers(): ReadonlyMap<number, number> {
  if (gb4 !== undefined) return gb4;
  const count = 39420;
  const bytes = new Uint8Array(count * 4);
  for (let p = 0; p < count; p++) {
    bytes[p * 4] = Math.floor(p / 12600) + 0x81;
    bytes[p * 4 + 1] = Math.floor((p % 12600) / 1260) + 0x30;
    bytes[p * 4 + 2] = Math.floor((p % 1260) / 10) + 0x81;
    bytes[p * 4 + 3] = (p % 10) + 0x30;
  }
  const text = new TextDecoder('gb18030').decode(bytes);
  const map = new Map<number, number>();
  // Every pointer below 39420 decodes to one BMP code point, so index i is pointer i.
  if (text.length === count) for (let p = 0; p < count; p++) if (!map.has(text.charCodeAt(p))) map.set(text.charCodeAt(p), p);
  gb4 = map;
  return map;
}

let big5: Uint32Array | undefined;

/** Index Big5: pointer = (lead − 0x81) × 157 + trail − (trail < 0x7F ? 0x40 : 0x62). */
export function big5Index(): Uint32Array {
  if (big5 !== undefined) return big5;
  const table = decodePairs('big5', 126 * 157, (p) => {
    const trail = p % 157;
    return [Math.floor(p / 157) + 0x81, trail + (trail < 0x3f ? 0x40 : 0x62)];
  });
  for (let p = 0; p < table.length; p++) if (isPrivateUse(table[p]!)) table[p] = 0;
  big5 = table;
  return table;
}

/**
 * Reverse of an index: code point → pointer, the first pointer unless `last` lists the
 * code point; pointers outside `[from, to)` are skipped.
 */
export function reverseIndex(index: Uint32Array, from = 0, to = index.length, last: readonly number[] = []): Map<number, number> {
  const map = new Map<number, number>();
  for (let p = from; p < to; p++) {
    const cp = index[p]!;
    if (cp === 0) continue;
    if (!map.has(cp) || last.includes(cp)) map.set(cp, p);
  }
  return map;
}
