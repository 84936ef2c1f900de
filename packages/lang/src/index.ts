/**
 * @tutti/lang — text to checked semantic model: lexer, parser, semantic checker.
 */

export { literalValue, numberValue } from './lower/literal.js';
export { type LowerOptions, lowerProgram } from './lower/lower.js';
export { decodeEscapes, lex } from './parser/lexer.js';
export { MAX_NESTING, parseFile, parseValueText } from './parser/parser.js';
export type { Token } from './parser/token.js';
export { Area } from './semantic/area.js';
export { type CheckResult, checkProgram, type EntrypointRequest } from './semantic/checker.js';
export type { PackageView, ProgramView } from './semantic/program.js';
export * from './semantic/symbols.js';
export { checkLiteral, classifyNumber, INT_RANGES, isLiteral } from './semantic/value-check.js';
export * from './syntax/syntax.js';
