/**
 * The 0.9 `work` (docs/legacy.md): the 0.10 package with the 0.9 shapes of four elements,
 * each a thin layer over the 0.10 one reached as the package `work_0_10`.
 *
 * - `work/distant::DistantEngine(address, key)`: `.mel`, derives the 0.10 model.
 * - `work/distant::distant`: native, runs the 0.10 treatment and adds the 0.9 outputs
 *   `failure` and `error` (the messages as one `Vec<string>`, when the request failed); the
 *   resource parameters other than the four sizes have defaults, as 0.9 programs omit them.
 * - `work/resources::getExecutor(name)`, `getFileSystem(name)` with a `trigger` input: `.mel`.
 *
 * `distant` is native because collecting the `errors` stream into one vector, only when
 * `failed` came, has no short `.mel` form; it runs the 0.10 descriptor's own `run`, so the
 * behaviour stays the 0.10 one.
 */
import { fileURLToPath } from 'node:url';
import {
  type ElementDescriptor,
  type OutputPort,
  type PackageDescriptor,
  type TreatmentContext,
  type TreatmentDescriptor,
  treatment,
  type Value,
} from '@tutti/core';
import { LEGACY_VERSION } from './version.js';

const id = (e: ElementDescriptor) => `${e.area}::${e.name}`;

/** 0.10 elements whose 0.9 shape differs (`.mel` in `mel/work`, or {@link distant09}). */
const REPLACED: ReadonlySet<string> = new Set([
  'work/distant::DistantEngine',
  'work/distant::distant',
  'work/resources::getExecutor',
  'work/resources::getFileSystem',
]);

/** The 0.9 `work`, made from the bundled 0.10 one. */
export function legacyWork(base: PackageDescriptor): PackageDescriptor {
  const distant = base.elements.find((e) => id(e) === 'work/distant::distant') as TreatmentDescriptor | undefined;
  if (distant?.run === undefined) throw new Error('work: the 0.10 package has no native work/distant::distant');
  return {
    name: base.name,
    version: LEGACY_VERSION,
    doc: `${base.doc} (0.9 surface: \`DistantEngine(address, key)\`, \`distant\`'s \`failure\`/\`error\`, \`getExecutor\`/\`getFileSystem\` with \`name\` as a parameter and a \`trigger\` input.)`,
    dependencies: { ...base.dependencies, work_0_10: `=${base.version}` },
    elements: [...base.elements.filter((e) => !REPLACED.has(id(e))), distant09(distant)],
    melRoot: fileURLToPath(new URL('../mel/work', import.meta.url)),
  };
}

/** `work/distant::distant` of 0.9 over the 0.10 descriptor `base`. */
function distant09(base: TreatmentDescriptor): TreatmentDescriptor {
  const run = base.run as NonNullable<TreatmentDescriptor['run']>;
  return treatment('work/distant', 'distant', {
    models: { distant_engine: 'DistantEngine' },
    params: {
      max_duration: 'var u32',
      memory: 'var u32',
      cpu: 'var u32',
      storage: 'var u32',
      edition: 'var Option<string> = _',
      arch: 'var Option<Arch> = _',
      volumes: 'var Vec<Volume> = []',
      containers: 'var Vec<Container> = []',
      service_containers: 'var Vec<ServiceContainer> = []',
      tags: 'var Vec<string> = []',
    },
    inputs: { trigger: 'Block<void>' },
    outputs: {
      access: 'Block<Access>',
      failure: 'Block<Vec<string>>',
      error: 'Block<Vec<string>>',
      failed: 'Block<void>',
      errors: 'Stream<string>',
    },
    doc: 'On trigger, requests a worker (0.9 shape of the 0.10 `distant`): its `access`, or `failed`, the messages on `errors`, and all of them at once on `failure` and `error`.',
    async run(ctx: TreatmentContext) {
      const messages: string[] = [];
      let failed = false;
      const outputs = {
        ...ctx.outputs,
        failed: tap(ctx.outputs.failed as OutputPort, () => {
          failed = true;
        }),
        errors: tap(ctx.outputs.errors as OutputPort, (v) => messages.push(String(v))),
      };
      await run({ ...ctx, outputs });
      if (!failed) return;
      await Promise.all([ctx.outputs.failure?.sendOne(messages), ctx.outputs.error?.sendOne(messages)]);
    },
  });
}

/** `port`, calling `seen` with every value sent through it. */
function tap(port: OutputPort, seen: (value: Value) => void): OutputPort {
  return {
    name: port.name,
    get usable() {
      return port.usable;
    },
    sendOne(v) {
      seen(v);
      return port.sendOne(v);
    },
    sendMany(vs) {
      for (const v of vs) seen(v);
      return port.sendMany(vs);
    },
    close() {
      port.close();
    },
  };
}
