/**
 * GitHub's own workflow parser and expression engine (`@actions/workflow-parser`,
 * `@actions/expressions`), loaded on first use from dist/actions.bundle.mjs. They are bundled at
 * build time (scripts/bundle.mjs) because on Node 20 the parser cannot be imported directly (its
 * JSON schema import lacks an import attribute), and loaded lazily so that
 * `tutti run` never pays for them.
 */

/** The few shapes of the two libraries this package uses (their own .d.ts cannot be imported from the bundle). */
export interface ExpressionData {
  readonly kind: number;
  readonly primitive: boolean;
  coerceString(): string;
  number(): number;
}
export interface DataModule {
  readonly Null: new () => ExpressionData;
  readonly StringData: new (v: string) => ExpressionData;
  readonly NumberData: new (v: number) => ExpressionData;
  readonly BooleanData: new (v: boolean) => ExpressionData;
  readonly Array: new (...v: ExpressionData[]) => ExpressionData & { values(): ExpressionData[] };
  readonly Dictionary: new (
    ...pairs: { key: string; value: ExpressionData }[]
  ) => ExpressionData & { pairs(): { key: string; value: ExpressionData }[]; add(k: string, v: ExpressionData): void };
  readonly Kind: Record<string, number>;
}
export interface FunctionDefinition {
  name: string;
  minArgs: number;
  maxArgs: number;
  call: (...args: ExpressionData[]) => ExpressionData;
}
export interface ParseError {
  readonly message: string;
}
export interface ActionsLibs {
  parseWorkflow(
    file: { name: string; content: string },
    trace: unknown,
  ): { context: { errors: { getErrors(): ParseError[] } }; value: unknown };
  convertWorkflowTemplate(context: unknown, value: unknown): Promise<{ errors?: { Message: string }[] }>;
  NoOperationTraceWriter: new () => unknown;
  data: DataModule;
  Lexer: new (input: string) => { lex(): { tokens: unknown[] } };
  Parser: new (
    tokens: unknown[],
    contexts: string[],
    functions: { name: string; minArgs: number; maxArgs: number }[],
  ) => { parse(): unknown };
  Evaluator: new (expr: unknown, context: ExpressionData, functions?: Map<string, FunctionDefinition>) => { evaluate(): ExpressionData };
}

let loaded: ActionsLibs | undefined;

/** Loads the bundle (once). */
export async function actionsLibs(): Promise<ActionsLibs> {
  if (!loaded) {
    const url = new URL('../dist/actions.bundle.mjs', import.meta.url);
    try {
      loaded = (await import(url.href)) as ActionsLibs;
    } catch (e) {
      throw new Error(`GitHub's workflow parser is missing (${url.pathname}): run 'npm run build' (${(e as Error).message})`);
    }
  }
  return loaded;
}

/** The libraries once `actionsLibs()` has resolved. */
export function libs(): ActionsLibs {
  if (!loaded) throw new Error('internal: actionsLibs() was not awaited');
  return loaded;
}
