/**
 * Resolution of Rust's `\p{…}` names to JavaScript property expressions.
 *
 * Rust matches names loosely (UAX44-LM3: case, spaces, `_` and `-` ignored, an `is`
 * prefix dropped) and tries binary properties, then general categories, then scripts;
 * JavaScript wants exact spellings and `Script=` for scripts. The tables list what
 * JavaScript's RegExp knows (ECMA-262 tables of binary properties, general category and
 * script values); Rust properties without a JavaScript counterpart (`Age`,
 * `Word_Break`, `Other_*`, …) are rejected with a message saying so.
 */

/** Binary properties JavaScript knows, with their aliases (first name is emitted). */
const BINARY: readonly (readonly string[])[] = [
  ['ASCII'],
  ['ASCII_Hex_Digit', 'AHex'],
  ['Alphabetic', 'Alpha'],
  ['Any'],
  ['Assigned'],
  ['Bidi_Control', 'Bidi_C'],
  ['Bidi_Mirrored', 'Bidi_M'],
  ['Case_Ignorable', 'CI'],
  ['Cased'],
  ['Changes_When_Casefolded', 'CWCF'],
  ['Changes_When_Casemapped', 'CWCM'],
  ['Changes_When_Lowercased', 'CWL'],
  ['Changes_When_NFKC_Casefolded', 'CWKCF'],
  ['Changes_When_Titlecased', 'CWT'],
  ['Changes_When_Uppercased', 'CWU'],
  ['Dash'],
  ['Default_Ignorable_Code_Point', 'DI'],
  ['Deprecated', 'Dep'],
  ['Diacritic', 'Dia'],
  ['Emoji'],
  ['Emoji_Component', 'EComp'],
  ['Emoji_Modifier', 'EMod'],
  ['Emoji_Modifier_Base', 'EBase'],
  ['Emoji_Presentation', 'EPres'],
  ['Extended_Pictographic', 'ExtPict'],
  ['Extender', 'Ext'],
  ['Grapheme_Base', 'Gr_Base'],
  ['Grapheme_Extend', 'Gr_Ext'],
  ['Hex_Digit', 'Hex'],
  ['IDS_Binary_Operator', 'IDSB'],
  ['IDS_Trinary_Operator', 'IDST'],
  ['ID_Continue', 'IDC'],
  ['ID_Start', 'IDS'],
  ['Ideographic', 'Ideo'],
  ['Join_Control', 'Join_C'],
  ['Logical_Order_Exception', 'LOE'],
  ['Lowercase', 'Lower'],
  ['Math'],
  ['Noncharacter_Code_Point', 'NChar'],
  ['Pattern_Syntax', 'Pat_Syn'],
  ['Pattern_White_Space', 'Pat_WS'],
  ['Quotation_Mark', 'QMark'],
  ['Radical'],
  ['Regional_Indicator', 'RI'],
  ['Sentence_Terminal', 'STerm'],
  ['Soft_Dotted', 'SD'],
  ['Terminal_Punctuation', 'Term'],
  ['Unified_Ideograph', 'UIdeo'],
  ['Uppercase', 'Upper'],
  ['Variation_Selector', 'VS'],
  ['White_Space', 'space', 'WSpace'],
  ['XID_Continue', 'XIDC'],
  ['XID_Start', 'XIDS'],
];

/** Binary properties Rust knows but JavaScript's RegExp does not. */
const RUST_ONLY_BINARY: readonly string[] = [
  'Other_Alphabetic',
  'OAlpha',
  'Other_Default_Ignorable_Code_Point',
  'ODI',
  'Other_Grapheme_Extend',
  'OGr_Ext',
  'Other_ID_Continue',
  'OIDC',
  'Other_ID_Start',
  'OIDS',
  'Other_Lowercase',
  'OLower',
  'Other_Math',
  'OMath',
  'Other_Uppercase',
  'OUpper',
  'Hyphen',
  'Grapheme_Link',
  'Gr_Link',
  'Prepended_Concatenation_Mark',
  'PCM',
  'IDS_Unary_Operator',
  'IDSU',
  'ID_Compat_Math_Continue',
  'ID_Compat_Math_Start',
];

/** General category values (short name emitted) with their aliases. */
const GENERAL_CATEGORY: readonly (readonly string[])[] = [
  ['C', 'Other'],
  ['Cc', 'Control', 'Cntrl'],
  ['Cf', 'Format'],
  ['Cn', 'Unassigned'],
  ['Co', 'Private_Use'],
  ['Cs', 'Surrogate'],
  ['L', 'Letter'],
  ['LC', 'Cased_Letter'],
  ['Ll', 'Lowercase_Letter'],
  ['Lm', 'Modifier_Letter'],
  ['Lo', 'Other_Letter'],
  ['Lt', 'Titlecase_Letter'],
  ['Lu', 'Uppercase_Letter'],
  ['M', 'Mark', 'Combining_Mark'],
  ['Mc', 'Spacing_Mark'],
  ['Me', 'Enclosing_Mark'],
  ['Mn', 'Nonspacing_Mark'],
  ['N', 'Number'],
  ['Nd', 'Decimal_Number', 'Digit'],
  ['Nl', 'Letter_Number'],
  ['No', 'Other_Number'],
  ['P', 'Punctuation', 'Punct'],
  ['Pc', 'Connector_Punctuation'],
  ['Pd', 'Dash_Punctuation'],
  ['Pe', 'Close_Punctuation'],
  ['Pf', 'Final_Punctuation'],
  ['Pi', 'Initial_Punctuation'],
  ['Po', 'Other_Punctuation'],
  ['Ps', 'Open_Punctuation'],
  ['S', 'Symbol'],
  ['Sc', 'Currency_Symbol'],
  ['Sk', 'Modifier_Symbol'],
  ['Sm', 'Math_Symbol'],
  ['So', 'Other_Symbol'],
  ['Z', 'Separator'],
  ['Zl', 'Line_Separator'],
  ['Zp', 'Paragraph_Separator'],
  ['Zs', 'Space_Separator'],
];

/** Script values: [short code, long name (emitted), other aliases]. */
const SCRIPTS: readonly (readonly string[])[] = (
  'Adlm Adlam|Aghb Caucasian_Albanian|Ahom Ahom|Arab Arabic|Armi Imperial_Aramaic|Armn Armenian|Avst Avestan|' +
  'Bali Balinese|Bamu Bamum|Bass Bassa_Vah|Batk Batak|Beng Bengali|Berf Beria_Erfe|Bhks Bhaiksuki|Bopo Bopomofo|' +
  'Brah Brahmi|Brai Braille|Bugi Buginese|Buhd Buhid|Cakm Chakma|Cans Canadian_Aboriginal|Cari Carian|Cham Cham|' +
  'Cher Cherokee|Chrs Chorasmian|Copt Coptic Qaac|Cpmn Cypro_Minoan|Cprt Cypriot|Cyrl Cyrillic|Deva Devanagari|' +
  'Diak Dives_Akuru|Dogr Dogra|Dsrt Deseret|Dupl Duployan|Egyp Egyptian_Hieroglyphs|Elba Elbasan|Elym Elymaic|' +
  'Ethi Ethiopic|Gara Garay|Geor Georgian|Glag Glagolitic|Gong Gunjala_Gondi|Gonm Masaram_Gondi|Goth Gothic|' +
  'Gran Grantha|Grek Greek|Gujr Gujarati|Gukh Gurung_Khema|Guru Gurmukhi|Hang Hangul|Hani Han|Hano Hanunoo|' +
  'Hatr Hatran|Hebr Hebrew|Hira Hiragana|Hluw Anatolian_Hieroglyphs|Hmng Pahawh_Hmong|Hmnp Nyiakeng_Puachue_Hmong|' +
  'Hung Old_Hungarian|Ital Old_Italic|Java Javanese|Kali Kayah_Li|Kana Katakana|Kawi Kawi|Khar Kharoshthi|' +
  'Khmr Khmer|Khoj Khojki|Kits Khitan_Small_Script|Knda Kannada|Krai Kirat_Rai|Kthi Kaithi|Lana Tai_Tham|Laoo Lao|' +
  'Latn Latin|Lepc Lepcha|Limb Limbu|Lina Linear_A|Linb Linear_B|Lisu Lisu|Lyci Lycian|Lydi Lydian|Mahj Mahajani|' +
  'Maka Makasar|Mand Mandaic|Mani Manichaean|Marc Marchen|Medf Medefaidrin|Mend Mende_Kikakui|Merc Meroitic_Cursive|' +
  'Mero Meroitic_Hieroglyphs|Mlym Malayalam|Modi Modi|Mong Mongolian|Mroo Mro|Mtei Meetei_Mayek|Mult Multani|' +
  'Mymr Myanmar|Nagm Nag_Mundari|Nand Nandinagari|Narb Old_North_Arabian|Nbat Nabataean|Newa Newa|Nkoo Nko|' +
  'Nshu Nushu|Ogam Ogham|Olck Ol_Chiki|Onao Ol_Onal|Orkh Old_Turkic|Orya Oriya|Osge Osage|Osma Osmanya|' +
  'Ougr Old_Uyghur|Palm Palmyrene|Pauc Pau_Cin_Hau|Perm Old_Permic|Phag Phags_Pa|Phli Inscriptional_Pahlavi|' +
  'Phlp Psalter_Pahlavi|Phnx Phoenician|Plrd Miao|Prti Inscriptional_Parthian|Rjng Rejang|Rohg Hanifi_Rohingya|' +
  'Runr Runic|Samr Samaritan|Sarb Old_South_Arabian|Saur Saurashtra|Sgnw SignWriting|Shaw Shavian|Shrd Sharada|' +
  'Sidd Siddham|Sidt Sidetic|Sind Khudawadi|Sinh Sinhala|Sogd Sogdian|Sogo Old_Sogdian|Sora Sora_Sompeng|' +
  'Soyo Soyombo|Sund Sundanese|Sunu Sunuwar|Sylo Syloti_Nagri|Syrc Syriac|Tagb Tagbanwa|Takr Takri|Tale Tai_Le|' +
  'Talu New_Tai_Lue|Taml Tamil|Tang Tangut|Tavt Tai_Viet|Tayo Tai_Yo|Telu Telugu|Tfng Tifinagh|Tglg Tagalog|' +
  'Thaa Thaana|Thai Thai|Tibt Tibetan|Tirh Tirhuta|Tnsa Tangsa|Todr Todhri|Tols Tolong_Siki|Toto Toto|' +
  'Tutg Tulu_Tigalari|Ugar Ugaritic|Vaii Vai|Vith Vithkuqi|Wara Warang_Citi|Wcho Wancho|Xpeo Old_Persian|' +
  'Xsux Cuneiform|Yezi Yezidi|Yiii Yi|Zanb Zanabazar_Square|Zinh Inherited Qaai|Zyyy Common|Zzzz Unknown'
)
  .split('|')
  .map((s) => s.split(' '));

/** Rust's non-binary properties that JavaScript's RegExp cannot express. */
const RUST_ONLY_ENUMERATED = new Set(['age', 'gcb', 'graphemeclusterbreak', 'wb', 'wordbreak', 'sb', 'sentencebreak']);

/**
 * Rust's `symbolic_name_normalize`: ASCII lowercase, spaces, `_` and `-` removed, non-ASCII
 * dropped, an `is` prefix ignored (except that `isc` stays `isc`, an alias of `Other`).
 */
export function normalizeName(name: string): string {
  let start = 0;
  const startsWithIs = name.length >= 2 && name.slice(0, 2).toLowerCase() === 'is';
  if (startsWithIs) start = 2;
  let out = '';
  for (let i = start; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x20 || c === 0x5f || c === 0x2d) continue;
    if (c > 0x7f) continue;
    out += c >= 0x41 && c <= 0x5a ? String.fromCharCode(c + 32) : name[i];
  }
  return startsWithIs && out === 'c' ? 'isc' : out;
}

const index = (rows: readonly (readonly string[])[], pick: (row: readonly string[]) => string): Map<string, string> => {
  const m = new Map<string, string>();
  for (const row of rows) for (const name of row) m.set(normalizeName(name), pick(row));
  return m;
};
const binary = index(BINARY, (r) => r[0]!);
const gencat = index(GENERAL_CATEGORY, (r) => r[0]!);
const scripts = index(SCRIPTS, (r) => r[1]!);
const rustOnlyBinary = new Set(RUST_ONLY_BINARY.map(normalizeName));

/** The outcome of resolving a `\p` name: the JavaScript property body, or why not. */
export type PropResolution = { readonly body: string } | { readonly error: string };

/** Resolves `\pL` / `\p{Greek}` (a lone name). */
export function resolveLoneProperty(name: string): PropResolution {
  const norm = normalizeName(name);
  // Rust checks these three as general categories first (they are also property aliases).
  if (norm !== 'cf' && norm !== 'sc' && norm !== 'lc') {
    const b = binary.get(norm);
    if (b !== undefined) return { body: b };
  }
  const g = gencat.get(norm);
  if (g !== undefined) return { body: g };
  const s = scripts.get(norm);
  if (s !== undefined) return { body: `Script=${s}` };
  if (rustOnlyBinary.has(norm)) return { error: `Unicode property ${name} is not supported here (JavaScript regular expressions lack it)` };
  return { error: 'Unicode property not found' };
}

/** Resolves `\p{name=value}` (also `name:value`). */
export function resolvePropertyValue(name: string, value: string): PropResolution {
  const n = normalizeName(name);
  const v = normalizeName(value);
  if (n === 'gc' || n === 'generalcategory') {
    const g = gencat.get(v);
    return g === undefined ? { error: 'Unicode property value not found' } : { body: g };
  }
  if (n === 'sc' || n === 'script' || n === 'scx' || n === 'scriptextensions') {
    const s = scripts.get(v);
    if (s === undefined) return { error: 'Unicode property value not found' };
    return { body: `${n === 'sc' || n === 'script' ? 'Script' : 'Script_Extensions'}=${s}` };
  }
  if (RUST_ONLY_ENUMERATED.has(n))
    return { error: `Unicode property ${name} is not supported here (JavaScript regular expressions lack it)` };
  if (binary.has(n) || rustOnlyBinary.has(n)) return { error: 'Unicode property value not found' };
  return { error: 'Unicode property not found' };
}
