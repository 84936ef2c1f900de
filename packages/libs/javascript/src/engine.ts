/**
 * The live `javascript::JavaScriptEngine` model: one sandboxed realm
 * (realm.ts) for the whole run, in a worker thread (remote-realm.ts), created at
 * initialisation with the model's limits, its `code` evaluated once (errors ignored), and
 * shared by every `process` bound to it.
 */
import type { ModelContext, ModelInstance, Value } from '@tutti/core';
import type { RealmOptions } from './realm.js';
import { RemoteRealm } from './remote-realm.js';

/** The realm settings a model's parameters give (see realm.ts for how each limit applies). */
export function realmOptions(params: Readonly<Record<string, Value>>): RealmOptions {
  return {
    strict: params.strict === true,
    recursionLimit: Number(params.recursion_limit ?? 400),
    loopIterationLimit: Number(params.loop_iteration_limit ?? 4294967295),
  };
}

/** A JavaScript engine model instance; `process` reaches it through its model slot. */
export class JavaScriptEngine implements ModelInstance {
  private realm: Promise<RemoteRealm> | undefined;
  private gone = false;

  /**
   * @param options limits of the realm
   * @param code script evaluated once in every new realm
   * @param warn reports a realm that had to be replaced
   */
  constructor(
    private readonly options: RealmOptions,
    private readonly code: string,
    private readonly warn: (message: string) => void = () => {},
  ) {}

  /** Creates the model instance of the engine (descriptor `create`). */
  static create(ctx: ModelContext): JavaScriptEngine {
    return new JavaScriptEngine(realmOptions(ctx.params), String(ctx.params.code ?? ''), (m) => ctx.log('warning', ctx.path, m));
  }

  /**
   * A new engine with the same limits and code and a realm of its own (created at its first
   * use): for hosts that give each unit of work an isolated realm, such as each leg of a
   * GitHub Actions matrix (`cicd/services/github::GithubMatrix`). The caller shuts it down.
   */
  fork(): JavaScriptEngine {
    return new JavaScriptEngine(this.options, this.code, this.warn);
  }

  /** Creates the realm and evaluates `code`. */
  async initialize(): Promise<void> {
    await this.current();
  }

  /**
   * The realm to evaluate in, replaced by a fresh one (code evaluated again) when the
   * previous one broke; undefined once the engine has shut down.
   */
  async current(): Promise<RemoteRealm | undefined> {
    if (this.gone) return undefined;
    this.realm ??= this.build();
    const pending = this.realm;
    const realm = await pending;
    if (!realm.broken || this.gone) return this.gone ? undefined : realm;
    // The first caller to see the breakage replaces the realm; others wait for that one.
    if (this.realm === pending) {
      this.warn('the JavaScript realm failed at host level and was replaced: its global state is lost');
      realm.dispose();
      this.realm = this.build();
    }
    return this.current();
  }

  /** Frees the realm; later `current()` calls give undefined. */
  async shutdown(): Promise<void> {
    this.gone = true;
    const realm = this.realm;
    this.realm = undefined;
    if (realm !== undefined) (await realm).dispose();
  }

  private async build(): Promise<RemoteRealm> {
    const realm = await RemoteRealm.create(this.options);
    await realm.run(this.code);
    if (!realm.broken) return realm;
    realm.dispose();
    // The code itself breaks a realm: go on without it rather than rebuild forever.
    this.warn('the engine code failed at host level; the realm runs without it');
    return RemoteRealm.create(this.options);
  }
}
