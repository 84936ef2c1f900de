/**
 * Secret masking. The convention (docs/progress.md): a parameter is secret when its name
 * contains `token`, `secret`, `password`, `passwd`, `passphrase`, `api_key`/`apikey`,
 * `private_key` or `credential` (any case) — which covers the parameters real 0.9 and 0.10
 * programs have (`api_token`, `github_token`, `gitlab_token`, `secrets`), without asking
 * their authors to change a line. Every string inside such a value (a map of secrets
 * included) is masked in every line a run shows or writes: logs, live view, step log
 * files, the debug file, reports. Hosts add more values as they learn them (GitHub's
 * `::add-mask::`, `secrets.*`).
 *
 * A value is also masked in the forms it most often takes when printed: each of its lines,
 * JSON-escaped, URL-encoded and base64-encoded.
 */

/** Names of parameters whose values are secret. */
export const SECRET_NAME: RegExp = /token|secret|passw(?:or)?d|passphrase|api_?key|private_?key|credential/i;

/** Whether a parameter called `name` holds a secret by the naming convention. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** What masked text shows instead of a secret. */
export const MASK = '***';

/**
 * The set of secret values of a run, and the function that hides them in text.
 *
 * @example
 * const masker = new SecretMasker();
 * masker.add('hunter2');
 * masker.mask('password is hunter2'); // 'password is ***'
 */
export class SecretMasker {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;
  private stale = false;

  /** `replacement`: what a secret becomes (default `***`; GitLab's hosts use `[MASKED]`). */
  constructor(private readonly replacement: string = MASK) {}

  /** How many strings (values and their forms) are masked. */
  get size(): number {
    return this.values.size;
  }

  /** Masks `value` from now on, with its usual printed forms. Empty values are ignored. */
  add(value: string): void {
    if (value.length === 0 || this.values.has(value)) return;
    this.put(value);
    const lines = value.split(/\r?\n/).map((l) => l.trim());
    if (lines.length > 1) for (const l of lines) if (l.length >= 3) this.put(l);
    const json = JSON.stringify(value).slice(1, -1);
    this.put(json);
    this.put(encodeURIComponent(value));
    const b64 = Buffer.from(value, 'utf8').toString('base64');
    if (value.length >= 3) this.put(b64.replace(/=+$/, ''));
  }

  /** Adds every string found in `value` (arrays, maps and records are walked; other values ignored). */
  addValue(value: unknown): void {
    const stack: unknown[] = [value];
    let budget = 100_000;
    while (stack.length > 0 && budget-- > 0) {
      const v = stack.pop();
      if (typeof v === 'string') this.add(v);
      else if (Array.isArray(v)) stack.push(...v);
      else if (v instanceof Map) for (const [k, x] of v) stack.push(k === undefined ? x : x);
      else if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) stack.push(...Object.values(v));
    }
  }

  /** Adds the values of the parameters of `params` whose names say they are secret. */
  addParams(params: Readonly<Record<string, unknown>>): void {
    for (const k of Object.keys(params)) if (isSecretName(k)) this.addValue(params[k]);
  }

  /** `text` with every secret replaced by `***` (or the constructor's replacement). */
  mask(text: string): string {
    if (this.values.size === 0) return text;
    if (this.stale || this.pattern === undefined) this.compile();
    const p = this.pattern as RegExp;
    p.lastIndex = 0;
    return p.test(text) ? text.replace(p, this.replacement) : text;
  }

  private put(v: string): void {
    if (v.length === 0 || this.values.has(v)) return;
    this.values.add(v);
    this.stale = true;
  }

  private compile(): void {
    // Longest first, so a secret containing another is hidden whole.
    const parts = [...this.values].sort((a, b) => b.length - a.length).map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.pattern = new RegExp(parts.join('|'), 'g');
    this.stale = false;
  }
}

/** The parts of a design secret collection reads (a `@tutti/design` `Design` has them). */
export interface DesignParams {
  readonly leaves: readonly { readonly params: Readonly<Record<string, { readonly kind: string; readonly value?: unknown }>> }[];
  readonly models: readonly { readonly params: Readonly<Record<string, unknown>> }[];
}

/**
 * Adds to `masker` the constant values of secret parameters of every treatment and model of
 * a design (entry arguments have been substituted into them by then). Values computed at
 * run time (`var` parameters) are added by the host when treatments start.
 */
export function collectDesignSecrets(design: DesignParams, masker: SecretMasker): void {
  for (const leaf of design.leaves)
    for (const [k, e] of Object.entries(leaf.params)) if (e.kind === 'const' && isSecretName(k)) masker.addValue(e.value);
  for (const m of design.models) masker.addParams(m.params);
}
