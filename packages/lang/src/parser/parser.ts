/**
 * Recursive-descent parser for the grammar of `.mel` files, with error recovery: a
 * syntax error abandons the current declaration or body item and parsing resumes at the
 * next line that can start one, so a single run reports every syntax error of a file.
 * Keywords are positional: `treatment` is a keyword only where a declaration may
 * start.
 *
 * Nesting (values, types) is bounded at 256 levels (E_NESTING_TOO_DEEP); beyond it the nested
 * text is skipped with a counter, never with recursion, so no input overflows the stack.
 */
import type { DiagnosticSink, SourceFile, Span } from '@tutti/core';
import type {
  AssignSyntax,
  ConnectionSyntax,
  DatalessConnectionSyntax,
  FileSyntax,
  GenericSyntax,
  Ident,
  InstanceSyntax,
  ModelParamSyntax,
  ModelSyntax,
  ParamSyntax,
  PortSyntax,
  PreludeModelSyntax,
  TreatmentSyntax,
  TypeSyntax,
  UseSyntax,
  ValueSyntax,
} from '../syntax/syntax.js';
import { lex } from './lexer.js';
import { type Token, TokenKind } from './token.js';

/** Deepest nesting of values and types accepted; deeper is E_NESTING_TOO_DEEP. */
export const MAX_NESTING = 256;

class SyntaxFailure extends Error {}

/** Parses one file; problems go to `sink`, and the tree holds what could be read. */
export function parseFile(file: SourceFile, sink: DiagnosticSink): FileSyntax {
  const before = sink.errorCount;
  const lexed = lex(file, sink);
  const p = new Parser(file, lexed.tokens, sink, lexed.truncated);
  const result = p.parseFile();
  return { ...result, broken: sink.errorCount > before };
}

/**
 * Parses the text of one value (used for descriptor defaults and `--parse-arguments`).
 * Returns undefined, with diagnostics in `sink`, when the text is not exactly one value.
 */
export function parseValueText(file: SourceFile, sink: DiagnosticSink): ValueSyntax | undefined {
  const before = sink.errorCount;
  const lexed = lex(file, sink);
  const p = new Parser(file, lexed.tokens, sink, lexed.truncated);
  const v = p.parseLoneValue();
  return sink.errorCount > before ? undefined : v;
}

class Parser {
  #i = 0;

  constructor(
    readonly file: SourceFile,
    readonly tokens: readonly Token[],
    readonly sink: DiagnosticSink,
    readonly truncated: boolean,
  ) {}

  // ---- token helpers ---------------------------------------------------------------

  get tok(): Token {
    return this.tokens[this.#i] as Token;
  }

  peek(k = 1): Token {
    return this.tokens[Math.min(this.#i + k, this.tokens.length - 1)] as Token;
  }

  next(): Token {
    const t = this.tok;
    if (t.kind !== TokenKind.End) this.#i++;
    return t;
  }

  span(start: number, end: number): Span {
    return this.file.span(start, end);
  }

  get lastEnd(): number {
    return this.#i > 0 ? (this.tokens[this.#i - 1] as Token).end : 0;
  }

  isPunct(c: string, t: Token = this.tok): boolean {
    return t.kind === TokenKind.Punct && t.text === c;
  }

  isName(text?: string, t: Token = this.tok): boolean {
    return t.kind === TokenKind.Name && (text === undefined || t.text === text);
  }

  describe(t: Token): string {
    switch (t.kind) {
      case TokenKind.End:
        return 'end of file';
      case TokenKind.String:
        return 'a string';
      case TokenKind.Char:
        return 'a character';
      case TokenKind.Number:
        return `number '${t.text}'`;
      default:
        return `'${t.text}'`;
    }
  }

  /** Reports an unexpected token and abandons the current construct. */
  fail(expected: string, t: Token = this.tok): never {
    if (!(t.kind === TokenKind.End && this.truncated) && t.kind !== TokenKind.Error) {
      const at = t.kind === TokenKind.End ? this.span(Math.max(0, t.start - 1), t.start) : this.span(t.start, t.end);
      this.sink.report('E_SYNTAX', at, `expected ${expected}, found ${this.describe(t)}`);
    }
    throw new SyntaxFailure();
  }

  expectPunct(c: string, expected = `'${c}'`): Token {
    if (!this.isPunct(c)) this.fail(expected);
    return this.next();
  }

  expectName(expected = 'a name'): Ident {
    const t = this.tok;
    if (t.kind !== TokenKind.Name) this.fail(expected);
    this.next();
    return { text: t.text, span: this.span(t.start, t.end) };
  }

  ident(t: Token): Ident {
    return { text: t.text, span: this.span(t.start, t.end) };
  }

  /** `::`, two `:` tokens with optional whitespace between. */
  expectDoubleColon(): void {
    if (!(this.isPunct(':') && this.isPunct(':', this.peek()))) this.fail("'::'");
    this.next();
    this.next();
  }

  // ---- file ------------------------------------------------------------------------

  parseFile(): Omit<FileSyntax, 'broken'> {
    const uses: UseSyntax[] = [];
    const models: ModelSyntax[] = [];
    const treatments: TreatmentSyntax[] = [];
    while (this.tok.kind !== TokenKind.End) {
      const start = this.#i;
      try {
        if (this.isName('use')) uses.push(this.parseUse());
        else if (this.isName('model')) models.push(this.parseModel());
        else if (this.isName('treatment')) treatments.push(this.parseTreatment());
        else this.fail("'use', 'model' or 'treatment'");
      } catch (e) {
        if (!(e instanceof SyntaxFailure)) throw e;
        if (this.#i === start) this.next();
        this.recoverTopLevel();
      }
    }
    return { uses, models, treatments };
  }

  /** Skips to the next line starting with a declaration keyword. */
  recoverTopLevel(): void {
    while (this.tok.kind !== TokenKind.End) {
      const t = this.tok;
      if (t.lineStart && t.kind === TokenKind.Name && (t.text === 'use' || t.text === 'model' || t.text === 'treatment')) return;
      this.next();
    }
  }

  // ---- use -------------------------------------------------------------------------

  parseUse(): UseSyntax {
    const start = this.next().start;
    const path: Ident[] = [this.expectName('a package or area name after use')];
    while (this.isPunct('/')) {
      this.next();
      path.push(this.expectName('an area name after /'));
    }
    this.expectDoubleColon();
    const t = this.tok;
    const kindOf = (k: Token['kind']) =>
      k === TokenKind.Name ? 'name' : k === TokenKind.Function ? 'function' : k === TokenKind.Context ? 'context' : undefined;
    const targetKind = kindOf(t.kind);
    if (targetKind === undefined) this.fail('an element name, |function or @Context');
    this.next();
    const sigil = targetKind === 'name' ? 0 : 1;
    const target: Ident = { text: t.text.slice(sigil), span: this.span(t.start, t.end) };
    let local = target;
    if (this.isName('as')) {
      this.next();
      const a = this.tok;
      if (kindOf(a.kind) !== targetKind)
        this.fail(
          targetKind === 'name'
            ? 'a plain name after as'
            : targetKind === 'function'
              ? 'a |function name after as'
              : 'an @Context name after as',
        );
      this.next();
      local = { text: a.text.slice(sigil), span: this.span(a.start, a.end) };
    }
    return { path, targetKind, target, local, span: this.span(start, this.lastEnd) };
  }

  // ---- model -----------------------------------------------------------------------

  parseModel(): ModelSyntax {
    const kw = this.next();
    const name = this.expectName('a model name');
    this.expectPunct('(', "'(' (the parameter list of a model is mandatory)");
    const params = this.parseParamList();
    this.expectPunct(':', "':' and the base model");
    const base = this.expectName('the base model name');
    this.expectPunct('{');
    const assigns: AssignSyntax[] = [];
    while (!this.isPunct('}')) {
      if (this.tok.kind !== TokenKind.Name) this.fail("a parameter assignment or '}' (assignments are not separated by commas)");
      assigns.push(this.parseAssign());
    }
    this.next();
    return { kind: 'model', name, doc: kw.doc, params, base, assigns, span: this.span(kw.start, this.lastEnd) };
  }

  // ---- treatment -------------------------------------------------------------------

  parseTreatment(): TreatmentSyntax {
    const kw = this.next();
    const name = this.expectName('a treatment name');
    const generics: GenericSyntax[] = [];
    if (this.isPunct('<')) {
      this.next();
      if (!this.isPunct('>')) {
        for (;;) {
          const g = this.expectName('a generic name');
          const traits: Ident[] = [];
          if (this.isPunct(':')) {
            this.next();
            traits.push(this.expectName('a trait name'));
            while (this.isPunct('+')) {
              this.next();
              traits.push(this.expectName('a trait name'));
            }
          }
          generics.push({ name: g, traits });
          if (!this.isPunct(',')) break;
          this.next();
        }
      }
      this.expectPunct('>', "',' or '>'");
    }
    const modelParams: ModelParamSyntax[] = [];
    if (this.isPunct('[')) {
      this.next();
      if (!this.isPunct(']')) {
        for (;;) {
          const n = this.expectName('a model parameter name');
          this.expectPunct(':');
          const type = this.parseType(0);
          let def: ValueSyntax | undefined;
          if (this.isPunct('=')) {
            this.next();
            def = this.parseValue(0);
          }
          modelParams.push(def === undefined ? { name: n, type } : { name: n, type, default: def });
          if (!this.isPunct(',')) break;
          this.next();
        }
      }
      this.expectPunct(']', "',' or ']'");
    }
    this.expectPunct('(', this.isPunct('<') ? "'(' (generics come before model parameters)" : "'(' (the parameter list is mandatory)");
    const params = this.parseParamList();

    const inputs: PortSyntax[] = [];
    const outputs: PortSyntax[] = [];
    const models: PreludeModelSyntax[] = [];
    const requires: Ident[] = [];
    while (!this.isPunct('{')) {
      const t = this.tok;
      if (this.isName('input') || this.isName('output')) {
        this.next();
        const n = this.expectName(`the ${t.text} name`);
        this.expectPunct(':');
        const type = this.parseType(0);
        let def: ValueSyntax | undefined;
        if (this.isPunct('=')) {
          this.next();
          def = this.parseValue(0);
        }
        const port: PortSyntax = { keyword: this.ident(t), name: n, type, ...(def ? { default: def } : {}) };
        (t.text === 'input' ? inputs : outputs).push(port);
      } else if (this.isName('model')) {
        this.next();
        const first = this.expectName('a model instance name');
        let type = first;
        if (this.isPunct(':')) {
          this.next();
          type = this.expectName('a model type name');
        }
        this.expectPunct('(', "'(' (a prelude model takes no generics nor model parameters)");
        const assigns = this.parseAssignList(')');
        models.push({ name: first, type, assigns, span: this.span(t.start, this.lastEnd) });
      } else if (this.isName('require')) {
        this.next();
        const c = this.tok;
        if (c.kind !== TokenKind.Context) this.fail('an @Context after require');
        this.next();
        requires.push({ text: c.text.slice(1), span: this.span(c.start, c.end) });
      } else {
        this.fail("'input', 'output', 'model', 'require' or '{'");
      }
    }
    this.next();
    const body = this.parseBody(name);
    return {
      kind: 'treatment',
      name,
      doc: kw.doc,
      generics,
      modelParams,
      params,
      inputs,
      outputs,
      models,
      requires,
      ...body,
      span: this.span(kw.start, this.lastEnd),
    };
  }

  /** Parameter declarations up to and including `)`. */
  parseParamList(): ParamSyntax[] {
    const params: ParamSyntax[] = [];
    if (this.isPunct(')')) {
      this.next();
      return params;
    }
    for (;;) {
      const start = this.tok.start;
      let variability: Ident | undefined;
      // `const`/`var` is the variability unless it is itself the parameter name (`const: u8`).
      if ((this.isName('const') || this.isName('var')) && this.isName(undefined, this.peek())) variability = this.ident(this.next());
      const name = this.expectName('a parameter name');
      this.expectPunct(':', "':' and the parameter type");
      const type = this.parseType(0);
      let def: ValueSyntax | undefined;
      if (this.isPunct('=')) {
        this.next();
        def = this.parseValue(0);
      }
      params.push({
        ...(variability ? { variability } : {}),
        name,
        type,
        ...(def ? { default: def } : {}),
        span: this.span(start, this.lastEnd),
      });
      if (this.isPunct(',')) {
        this.next();
        continue;
      }
      this.expectPunct(')', "',' or ')'");
      return params;
    }
  }

  // ---- body ------------------------------------------------------------------------

  parseBody(owner: Ident): Pick<TreatmentSyntax, 'instances' | 'connections' | 'dataless'> {
    const instances: InstanceSyntax[] = [];
    const connections: ConnectionSyntax[] = [];
    const dataless: DatalessConnectionSyntax[] = [];
    for (;;) {
      const t = this.tok;
      if (this.isPunct('}')) {
        this.next();
        break;
      }
      if (t.kind === TokenKind.End) {
        if (!this.truncated)
          this.sink.report(
            'E_SYNTAX',
            this.span(Math.max(0, t.start - 1), t.start),
            `expected '}' to close the body of '${owner.text}', found end of file`,
          );
        break;
      }
      // A declaration keyword followed by a name: the body was never closed.
      if (
        t.kind === TokenKind.Name &&
        (t.text === 'treatment' || t.text === 'model' || t.text === 'use') &&
        this.peek().kind === TokenKind.Name
      ) {
        this.sink.report('E_SYNTAX', this.span(t.start, t.end), `expected '}' to close the body of '${owner.text}' before '${t.text}'`);
        break;
      }
      const start = this.#i;
      try {
        this.parseBodyItem(instances, connections, dataless);
      } catch (e) {
        if (!(e instanceof SyntaxFailure)) throw e;
        if (this.#i === start) this.next();
        // Resume at the next line that starts with a name or closes the body.
        while (this.tok.kind !== TokenKind.End && !(this.tok.lineStart && (this.isName() || this.isPunct('}')))) this.next();
      }
    }
    return { instances, connections, dataless };
  }

  parseBodyItem(instances: InstanceSyntax[], connections: ConnectionSyntax[], dataless: DatalessConnectionSyntax[]): void {
    const first = this.tok;
    if (first.kind !== TokenKind.Name) this.fail("an instance, a connection or '}'");
    const after = this.peek();
    if (this.isPunct('.', after)) {
      this.parseConnectionChain(connections);
      return;
    }
    if (after.kind === TokenKind.Arrow) {
      const names: Ident[] = [this.ident(this.next())];
      while (this.tok.kind === TokenKind.Arrow) {
        this.next();
        names.push(this.expectName('an instance name'));
      }
      dataless.push({ names, span: this.span(first.start, this.lastEnd) });
      return;
    }
    if (this.isPunct(':', after) || this.isPunct('<', after) || this.isPunct('[', after) || this.isPunct('(', after)) {
      instances.push(this.parseInstance());
      return;
    }
    this.next();
    this.fail("'.', ':', '<', '[' or '(' after the name");
  }

  parseInstance(): InstanceSyntax {
    const start = this.tok.start;
    let name = this.ident(this.next());
    let type = name;
    if (this.isPunct(':')) {
      this.next();
      type = this.expectName('the treatment name of the instance');
    }
    let generics: TypeSyntax[] | undefined;
    if (this.isPunct('<')) {
      this.next();
      generics = [];
      if (!this.isPunct('>')) {
        for (;;) {
          generics.push(this.parseTypeArg(0));
          if (!this.isPunct(',')) break;
          this.next();
        }
      }
      this.expectPunct('>', "',' or '>'");
    }
    let models: AssignSyntax[] = [];
    if (this.isPunct('[')) {
      this.next();
      models = this.parseAssignList(']');
    }
    this.expectPunct('(', "'(' and the parameters of the instance");
    const params = this.parseAssignList(')');
    if (name === type) name = type;
    return { name, type, generics, models, params, span: this.span(start, this.lastEnd) };
  }

  parseConnectionChain(out: ConnectionSyntax[]): void {
    const start = this.tok.start;
    const fromInstance = this.expectName();
    this.expectPunct('.');
    const fromPort = this.expectName('an output name');
    let from = { instance: fromInstance, port: fromPort };
    let linkStart = start;
    for (;;) {
      if (this.tok.kind !== TokenKind.Arrow) this.fail("'->'");
      this.next();
      const toInstance = this.expectName('an instance name');
      this.expectPunct('.', "'.' and an input name");
      const toPort = this.expectName('an input name');
      const to = { instance: toInstance, port: toPort };
      out.push({ from, to, span: this.span(linkStart, this.lastEnd) });
      if (this.tok.kind === TokenKind.Arrow) this.fail("',' (a chain continues with ', output ->')");
      if (!this.isPunct(',')) return;
      this.next();
      linkStart = this.tok.start;
      const port = this.expectName('an output name of the previous destination');
      from = { instance: toInstance, port };
    }
  }

  /** `name = value` items separated by commas, up to and including `close`. */
  parseAssignList(close: ')' | ']'): AssignSyntax[] {
    const list: AssignSyntax[] = [];
    if (this.isPunct(close)) {
      this.next();
      return list;
    }
    for (;;) {
      list.push(this.parseAssign());
      if (this.isPunct(',')) {
        this.next();
        continue;
      }
      this.expectPunct(close, `',' or '${close}'`);
      return list;
    }
  }

  parseAssign(): AssignSyntax {
    const name = this.expectName('a parameter name');
    this.expectPunct('=');
    const value = this.parseValue(0);
    return { name, value, span: this.span(name.span.start, this.lastEnd) };
  }

  // ---- types and values ------------------------------------------------------------

  /** Reports excessive nesting at `t` and skips the bracketed text that starts there. */
  tooDeep(t: Token): Span {
    this.sink.report('E_NESTING_TOO_DEEP', this.span(t.start, t.end), `nested deeper than ${MAX_NESTING} levels`);
    const open = t.text;
    const close = open === '[' ? ']' : open === '<' ? '>' : ')';
    let depth = 0;
    while (this.tok.kind !== TokenKind.End) {
      const x = this.next();
      if (x.kind === TokenKind.Punct && x.text === open) depth++;
      else if (x.kind === TokenKind.Punct && x.text === close && --depth === 0) break;
    }
    return this.span(t.start, this.lastEnd);
  }

  parseType(depth: number): TypeSyntax {
    const name = this.expectName('a type');
    let arg: TypeSyntax | undefined;
    if (this.isPunct('<')) {
      if (depth >= MAX_NESTING) {
        this.tooDeep(this.tok);
        throw new SyntaxFailure();
      }
      this.next();
      arg = this.parseType(depth + 1);
      this.expectPunct('>', "'>' (a type takes one argument)");
    }
    return { name, ...(arg ? { arg } : {}), span: this.span(name.span.start, this.lastEnd) };
  }

  /** A generic argument: a type, possibly with trait bounds (rejected later). */
  parseTypeArg(depth: number): TypeSyntax {
    const type = this.parseType(depth);
    if (!this.isPunct(':')) return type;
    this.next();
    const traits = [this.expectName('a trait name')];
    while (this.isPunct('+')) {
      this.next();
      traits.push(this.expectName('a trait name'));
    }
    return { ...type, traits, span: this.span(type.span.start, this.lastEnd) };
  }

  parseLoneValue(): ValueSyntax | undefined {
    try {
      const v = this.parseValue(0);
      if (this.tok.kind !== TokenKind.End) this.fail('the end of the value');
      return v;
    } catch (e) {
      if (!(e instanceof SyntaxFailure)) throw e;
      return undefined;
    }
  }

  parseValue(depth: number): ValueSyntax {
    const t = this.tok;
    const sp = this.span(t.start, t.end);
    switch (t.kind) {
      case TokenKind.Number:
        this.next();
        return { kind: 'number', text: t.text, span: sp };
      case TokenKind.Byte:
        this.next();
        return t.invalid ? { kind: 'error', span: sp } : { kind: 'byte', value: t.byte ?? 0, span: sp };
      case TokenKind.String:
        this.next();
        return t.invalid ? { kind: 'error', span: sp } : { kind: 'string', value: t.text, span: sp };
      case TokenKind.Char:
        this.next();
        return t.invalid ? { kind: 'error', span: sp } : { kind: 'char', value: t.text, span: sp };
      case TokenKind.Name:
        this.next();
        if (t.text === 'true' || t.text === 'false') return { kind: 'bool', value: t.text === 'true', span: sp };
        return { kind: 'name', name: this.ident(t), span: sp };
      case TokenKind.Context: {
        this.next();
        this.expectPunct('[', "'[' and a field name after the context");
        const field = this.expectName('a context field name');
        this.expectPunct(']');
        return { kind: 'context', context: { text: t.text.slice(1), span: sp }, field, span: this.span(t.start, this.lastEnd) };
      }
      case TokenKind.Function: {
        this.next();
        let generics: TypeSyntax[] | undefined;
        if (this.isPunct('<')) {
          if (depth >= MAX_NESTING) return { kind: 'error', span: this.tooDeep(this.tok) };
          this.next();
          generics = [];
          if (!this.isPunct('>')) {
            for (;;) {
              generics.push(this.parseTypeArg(depth + 1));
              if (!this.isPunct(',')) break;
              this.next();
            }
          }
          this.expectPunct('>', "',' or '>'");
        }
        if (!this.isPunct('(')) this.fail("'(' and the function arguments");
        if (depth >= MAX_NESTING) return { kind: 'error', span: this.tooDeep(this.tok) };
        this.next();
        const args = this.parseValueList(')', depth + 1);
        return { kind: 'call', fn: { text: t.text.slice(1), span: sp }, generics, args, span: this.span(t.start, this.lastEnd) };
      }
      case TokenKind.Punct:
        if (t.text === '_') {
          this.next();
          return { kind: 'void', span: sp };
        }
        if (t.text === '[') {
          if (depth >= MAX_NESTING) return { kind: 'error', span: this.tooDeep(t) };
          this.next();
          const items = this.parseValueList(']', depth + 1);
          return { kind: 'array', items, span: this.span(t.start, this.lastEnd) };
        }
        break;
      default:
        break;
    }
    this.fail('a value');
  }

  parseValueList(close: ')' | ']', depth: number): ValueSyntax[] {
    const items: ValueSyntax[] = [];
    if (this.isPunct(close)) {
      this.next();
      return items;
    }
    for (;;) {
      items.push(this.parseValue(depth));
      if (this.isPunct(',')) {
        this.next();
        continue;
      }
      this.expectPunct(close, `',' or '${close}'`);
      return items;
    }
  }
}
