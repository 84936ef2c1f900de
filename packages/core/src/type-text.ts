/**
 * Parses the type text used by library descriptors (`Stream` excluded: ports are split
 * beforehand), with the grammar of written types: `NAME [< type >]`.
 */
import { coreType, type DataType, isCoreTypeName, optionType, vecType } from './types.js';

/**
 * @param resolveData maps a data type name (`StringMap`) or identifier
 * (`std/data/string_map::StringMap`) to its identifier, or undefined
 * @param generics the generic names in scope
 * @throws Error on malformed text or unknown names: descriptor text is library code
 */
export function parseTypeText(text: string, resolveData: (name: string) => string | undefined, generics: ReadonlySet<string>): DataType {
  let pos = 0;
  const s = text;
  const skip = () => {
    while (pos < s.length && /\s/.test(s[pos] as string)) pos++;
  };
  const name = (): string => {
    skip();
    // A data type may be named by its identifier (`cicd/services/gitlab::StepState`) where
    // two packages' areas declare the same short name.
    const m = /^(?:[A-Za-z_][\w/]*::)?[A-Za-z_]\w*/.exec(s.slice(pos));
    if (!m) throw new Error(`bad type text '${text}'`);
    pos += m[0].length;
    return m[0];
  };
  const type = (): DataType => {
    const n = name();
    skip();
    let arg: DataType | undefined;
    if (s[pos] === '<') {
      pos++;
      arg = type();
      skip();
      if (s[pos] !== '>') throw new Error(`bad type text '${text}'`);
      pos++;
    }
    if (n === 'Vec' || n === 'Option') {
      if (arg === undefined) throw new Error(`'${n}' needs an argument in '${text}'`);
      return n === 'Vec' ? vecType(arg) : optionType(arg);
    }
    if (arg !== undefined) throw new Error(`'${n}' takes no argument in '${text}'`);
    if (isCoreTypeName(n)) return coreType(n);
    if (generics.has(n)) return { kind: 'generic', name: n };
    const id = resolveData(n);
    if (id === undefined) throw new Error(`unknown type '${n}' in '${text}'`);
    return { kind: 'data', id, name: n.slice(n.lastIndexOf(':') + 1) };
  };
  const t = type();
  skip();
  if (pos !== s.length) throw new Error(`bad type text '${text}'`);
  return t;
}
