/** Token kinds of the `.mel` lexer. */
export const TokenKind = {
  Name: 'name',
  Context: 'context',
  Function: 'function',
  Number: 'number',
  Byte: 'byte',
  String: 'string',
  Char: 'char',
  Punct: 'punct',
  Arrow: 'arrow',
  /** Text already reported as E_LEX; the parser gives up on the construct silently. */
  Error: 'error',
  End: 'end',
} as const;

/** One of {@link TokenKind}. */
export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

/** A token. `text` is the source text, except for strings and chars (their decoded value). */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** A line break separates this token from the previous one (used for error recovery). */
  readonly lineStart: boolean;
  /** Documentation comment attached to this token. */
  readonly doc?: string;
  /** The literal was already reported as invalid; use it without further complaint. */
  readonly invalid?: boolean;
  /** Byte value, for Byte tokens. */
  readonly byte?: number;
}
