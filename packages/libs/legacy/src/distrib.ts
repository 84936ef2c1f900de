/**
 * The 0.9 `distrib` (docs/legacy.md): the 0.10 package with the 0.9 shapes, each over
 * the 0.10 behaviour.
 *
 * - `DistributionEngine` has two sources, as in 0.9: `ready` (a track with `trigger` once
 *   the first `start` succeeded) and `distributionFailure` (a track with the reason on
 *   `failure` and `error` once it failed). The model is the 0.10 one otherwise (a
 *   {@link Distributor}); it keeps the identifier `distrib::DistributionEngine`, so the 0.10
 *   treatments (`start`, `stop`, `sendStream`…) take it unchanged.
 * - `distribute(params)`: the 0.9 parameters of an instance. The protocol gives a
 *   distributed treatment its parameters once, at `start` (`LoadAndLaunch`), so the
 *   parameters of `distribute` must be empty: other values fail the distribution with a
 *   message that says to give them to `start` (0.9 programs pass `|map([])`).
 */
import {
  type ElementDescriptor,
  type ModelContext,
  model,
  type PackageDescriptor,
  source,
  type TreatmentContext,
  type TreatmentDescriptor,
  treatment,
} from '@tutti/core';
import { type AccessLike, Distributor } from '@tutti/lib-distrib';
import type { MapValue } from '@tutti/lib-std';
import { LEGACY_VERSION } from './version.js';

const area = 'distrib';
const id = (e: ElementDescriptor) => `${e.area}::${e.name}`;
const REPLACED: ReadonlySet<string> = new Set(['distrib::DistributionEngine', 'distrib::distribute']);

/** A 0.10 distributor that opens the 0.9 source tracks after its first start. */
export class LegacyDistributor extends Distributor {
  #reported = false;

  constructor(private readonly context: ModelContext) {
    super(context);
  }

  override start(access: AccessLike, params: MapValue | undefined): Promise<string | undefined> {
    const outcome = super.start(access, params);
    if (!this.#reported) {
      this.#reported = true;
      outcome
        .then((e) =>
          e === undefined
            ? this.context.createTrack('ready', {
                feed: async (o) => {
                  await o.trigger?.sendOne(undefined);
                },
              })
            : this.context.createTrack('distributionFailure', {
                feed: async (o) => {
                  await Promise.all([o.failure?.sendOne(e), o.error?.sendOne(e)]);
                },
              }),
        )
        .catch((e: Error) => this.context.log('error', this.context.path, `the 0.9 source tracks: ${e.message}`));
    }
    return outcome;
  }
}

/** The 0.9 `distrib`, made from the bundled 0.10 one. */
export function legacyDistrib(base: PackageDescriptor): PackageDescriptor {
  const distribute = base.elements.find((e) => id(e) === 'distrib::distribute') as TreatmentDescriptor | undefined;
  if (distribute?.run === undefined) throw new Error('distrib: the 0.10 package has no native distrib::distribute');
  const run = distribute.run;
  return {
    name: base.name,
    version: LEGACY_VERSION,
    doc: `${base.doc} (0.9 surface: the \`ready\` and \`distributionFailure\` sources, \`distribute(params)\`.)`,
    dependencies: { ...base.dependencies },
    elements: [
      ...base.elements.filter((e) => !REPLACED.has(id(e))),
      model(area, 'DistributionEngine', {
        params: { treatment: 'string', version: 'string' },
        sources: ['ready', 'distributionFailure'],
        doc: 'One connection to one worker (0.9 shape): as the 0.10 model, with the sources `ready` and `distributionFailure`, whose tracks open when the first `start` succeeded or failed.',
        create: (ctx) => new LegacyDistributor(ctx),
      }),
      source(area, 'ready', {
        model: 'DistributionEngine',
        outputs: { trigger: 'Block<void>' },
        doc: 'Opens a track once the first `start` of the distributor succeeded.',
      }),
      source(area, 'distributionFailure', {
        model: 'DistributionEngine',
        outputs: { failure: 'Block<string>', error: 'Block<string>' },
        doc: 'Opens a track once the first `start` of the distributor failed: the reason on `failure` and on `error`.',
      }),
      treatment(area, 'distribute', {
        models: { distributor: 'DistributionEngine' },
        params: { params: 'var Map' },
        inputs: { trigger: 'Block<void>' },
        outputs: { distribution_id: 'Block<u64>', failed: 'Block<void>', error: 'Block<string>' },
        doc: 'On trigger, asks the worker for a new instance of the treatment (0.9 shape): its id, or `failed` and `error`. The treatment got its parameters at `start`: `params` must be empty.',
        async run(ctx: TreatmentContext) {
          const params = ctx.params.params as MapValue;
          if (params.size === 0) return run(ctx);
          const names = [...params.entries()].map(([n]) => `'${n}'`).join(', ');
          const message = `distribute cannot give parameters (${names}) to one instance: a distributed treatment gets its parameters once, from start`;
          ctx.log('error', ctx.path, message);
          await ctx.outputs.failed?.sendOne(undefined);
          await ctx.outputs.error?.sendOne(message);
        },
      }),
    ],
  };
}
