/**
 * The engine on hand-built designs (no text): tracks, parameters per track, closing of
 * unfed inputs, failure containment, construction failures, termination, lifecycle.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { END, model, NOT_YET, source, type TrackRequest, treatment, type Value } from '@tutti/core';
import type { ConnectionDesign, Design, LeafDesign, ModelDesign, ValueExpr } from '@tutti/design';
import { Engine, type EngineEvent, type LogRecord } from './engine.js';

const lifecycle: string[] = [];

/** A model opening one track per context value of `count`, each with `@Turn { index }`. */
const Ticker = model('t', 'Ticker', {
  params: { count: 'u64' },
  sources: ['tick'],
  create: (ctx) => ({
    initialize() {
      lifecycle.push('init');
    },
    async continuous() {
      const all: Promise<unknown>[] = [];
      for (let k = 0; k < Number(ctx.params.count); k++)
        all.push(
          ctx.createTrack('tick', {
            contexts: new Map([['t::@Turn', { index: k }]]),
            feed: async (o) => {
              await o.go?.sendOne(undefined);
            },
          }),
        );
      await Promise.all(all);
      lifecycle.push('activity done');
    },
    shutdown() {
      lifecycle.push('shutdown');
    },
  }),
});
const tick = source('t', 'tick', { model: 'Ticker', outputs: { go: 'Block<void>' }, contexts: ['@Turn'] });

const seen: Value[] = [];
const emit = treatment('t', 'emit', {
  params: { value: 'u64' },
  inputs: { trigger: 'Block<void>' },
  outputs: { out: 'Block<u64>' },
  async run({ inputs, outputs, params }) {
    if ((await inputs.trigger.recvOne()) === END) return;
    await outputs.out.sendOne(params.value);
  },
});
const collect = treatment('t', 'collect', {
  inputs: { a: 'Block<u64>', b: 'Block<u64>' },
  async run({ inputs }) {
    const a = await inputs.a.recvOne();
    const b = await inputs.b.recvOne();
    seen.push(`${String(a === END ? 'end' : a)}/${String(b === END ? 'end' : b)}`);
  },
});
const boom = treatment('t', 'boom', {
  inputs: { trigger: 'Block<void>' },
  async run({ inputs }) {
    await inputs.trigger.recvOne();
    throw new Error('kaboom');
  },
});

const c = (value: Value): ValueExpr => ({ kind: 'const', value });
const leaf = (
  index: number,
  path: string,
  descriptor: LeafDesign['descriptor'],
  params: LeafDesign['params'] = {},
  models = {},
): LeafDesign => ({
  index,
  path,
  descriptor,
  generics: {},
  params,
  models,
  origin: `main.mel:${index + 1}:5`,
});
const ticker = (count: number): ModelDesign => ({ index: 0, path: 'main/ticker', descriptor: Ticker, params: { count } });
const conn = (from: number, output: string, to: number, input: string): ConnectionDesign => ({ from, output, to, input });

async function run(design: Design) {
  const logs: LogRecord[] = [];
  const outcome = await new Engine(design, { log: (r) => logs.push(r) }).run();
  return { outcome, logs };
}

test('one track per created source track; var parameters read each track context; unfed inputs close', async () => {
  seen.length = 0;
  lifecycle.length = 0;
  const design: Design = {
    entry: 'x::main',
    models: [ticker(3)],
    leaves: [
      leaf(0, 'main/tick', tick, {}, { ticker: 0 }),
      leaf(1, 'main/byContext', emit, { value: { kind: 'context', context: 't::@Turn', field: 'index' } }),
      leaf(2, 'main/collect', collect),
    ],
    connections: [conn(0, 'go', 1, 'trigger'), conn(1, 'out', 2, 'a')],
    sources: [{ leaf: 0, model: 0, source: 'tick' }],
  };
  const { outcome, logs } = await run(design);
  assert.deepEqual(logs, []);
  assert.equal(outcome.ok, true);
  assert.equal(outcome.tracks, 3);
  // `b` is fed by nothing in these tracks: closed at once, so collect does not hang.
  assert.deepEqual([...seen].sort(), ['0/end', '1/end', '2/end']);
  assert.deepEqual(lifecycle, ['init', 'activity done', 'shutdown']);
});

test('a throwing treatment is contained: reported with its place, the rest of the track goes on, the run fails', async () => {
  seen.length = 0;
  const design: Design = {
    entry: 'x::main',
    models: [ticker(1)],
    leaves: [
      leaf(0, 'main/tick', tick, {}, { ticker: 0 }),
      leaf(1, 'main/boom', boom),
      leaf(2, 'main/e', emit, { value: c(7) }),
      leaf(3, 'main/collect', collect),
    ],
    connections: [conn(0, 'go', 1, 'trigger'), conn(0, 'go', 2, 'trigger'), conn(2, 'out', 3, 'a'), conn(2, 'out', 3, 'b')],
    sources: [{ leaf: 0, model: 0, source: 'tick' }],
  };
  const { outcome, logs } = await run(design);
  assert.equal(outcome.ok, false);
  assert.deepEqual(seen, ['7/7']);
  assert.equal(logs.length, 1);
  assert.equal(logs[0]?.level, 'error');
  assert.equal(logs[0]?.label, 'main/boom');
  assert.equal(logs[0]?.message, 't::boom failed: kaboom (track 1, instantiated at main.mel:2:5)');
});

test('a var function that throws abandons that track only; the others run', async () => {
  seen.length = 0;
  const picky: ValueExpr = {
    kind: 'call',
    name: 't::|picky',
    generics: {},
    impl: ([k]) => {
      if (k === 1) throw new Error('no 1');
      return k;
    },
    args: [{ kind: 'context', context: 't::@Turn', field: 'index' }],
  };
  const design: Design = {
    entry: 'x::main',
    models: [ticker(3)],
    leaves: [leaf(0, 'main/tick', tick, {}, { ticker: 0 }), leaf(1, 'main/e', emit, { value: picky }), leaf(2, 'main/collect', collect)],
    connections: [conn(0, 'go', 1, 'trigger'), conn(1, 'out', 2, 'a'), conn(1, 'out', 2, 'b')],
    sources: [{ leaf: 0, model: 0, source: 'tick' }],
  };
  const { outcome, logs } = await run(design);
  assert.equal(outcome.ok, false);
  assert.deepEqual([...seen].sort(), ['0/0', '2/2']);
  assert.equal(logs.length, 1);
  assert.match(logs[0]?.message ?? '', /^track construction failed: no 1 \(track \d, instantiated at main\.mel:2:5\)$/);
});

test('a design without models ends at once', async () => {
  const { outcome } = await run({ entry: 'x::main', models: [], leaves: [], connections: [], sources: [] });
  assert.deepEqual(outcome, { ok: true, tracks: 0 });
});

test('stop() ends a run whose model never finishes, and blocked() tells who waits on what', async () => {
  const Forever = model('t', 'Forever', {
    sources: ['tick'],
    create: (ctx) => ({
      async continuous() {
        await ctx.createTrack('tick', { feed: () => new Promise(() => {}) });
      },
    }),
  });
  const wait = treatment('t', 'wait', {
    inputs: { go: 'Block<void>' },
    async run({ inputs }) {
      await inputs.go.recvOne();
    },
  });
  const tick2 = source('t', 'tick', { model: 'Forever', outputs: { go: 'Block<void>' } });
  const logs: LogRecord[] = [];
  const engine = new Engine(
    {
      entry: 'x::main',
      models: [{ index: 0, path: 'main/forever', descriptor: Forever, params: {} }],
      leaves: [leaf(0, 'main/tick', tick2, {}, { forever: 0 }), leaf(1, 'main/wait', wait)],
      connections: [conn(0, 'go', 1, 'go')],
      sources: [{ leaf: 0, model: 0, source: 'tick' }],
    },
    { log: (r) => logs.push(r) },
  );
  const running = engine.run();
  await new Promise((r) => setImmediate(r));
  // The model's feed waits outside the graph, so this is no deadlock: only stop() ends it.
  assert.deepEqual(engine.blocked(), [
    'main/forever:tick (track 1): waiting on something outside the graph',
    "main/wait (track 1): receiving on 'go'",
  ]);
  engine.stop('test stop', true);
  assert.deepEqual(await running, { ok: false, tracks: 1 });
  assert.equal(engine.signal.aborted, true);
  assert.equal(logs[0]?.message, 'test stop');
});

/**
 * A countdown cycle: `step` forwards what it receives on `in` minus one to `out` while it
 * is positive, and `out` is connected back to its own `in` (cycles are legal).
 * The seed comes from a Block on `seed`; at zero, `step` closes `out`, which closes its own
 * input, and the track ends.
 */
const step = treatment('t', 'step', {
  inputs: { seed: 'Block<u64>', in: 'Stream<u64>' },
  outputs: { out: 'Stream<u64>', seen: 'Stream<u64>' },
  async run({ inputs, outputs }) {
    const first = await inputs.seed.recvOne();
    if (first === END) return;
    let v = first as number;
    for (;;) {
      await outputs.seen.sendOne(v);
      if (v === 0) return;
      await outputs.out.sendOne(v - 1);
      const next = await inputs.in.recvOne();
      if (next === END) return;
      v = next as number;
    }
  },
});
const gather = treatment('t', 'gather', {
  inputs: { values: 'Stream<u64>' },
  async run({ inputs }) {
    for (;;) {
      const b = await inputs.values.recvMany();
      if (b === END) return;
      for (const v of b) seen.push(v);
    }
  },
});

test('a cycle through an instance (its output into its own input) runs and ends', async () => {
  seen.length = 0;
  const design: Design = {
    entry: 'x::main',
    models: [ticker(1)],
    leaves: [
      leaf(0, 'main/tick', tick, {}, { ticker: 0 }),
      leaf(1, 'main/seed', emit, { value: c(5) }),
      leaf(2, 'main/step', step),
      leaf(3, 'main/gather', gather),
    ],
    connections: [conn(0, 'go', 1, 'trigger'), conn(1, 'out', 2, 'seed'), conn(2, 'out', 2, 'in'), conn(2, 'seen', 3, 'values')],
    sources: [{ leaf: 0, model: 0, source: 'tick' }],
  };
  const { outcome, logs } = await run(design);
  assert.deepEqual(logs, []);
  assert.equal(outcome.ok, true);
  assert.deepEqual(seen, [5, 4, 3, 2, 1, 0]);
});

test('a track whose tasks all wait on each other is abandoned with the deadlock report, the run fails', async () => {
  // left and right each wait for `go`, then for a value from the other: a loop of waits.
  const wait = treatment('t', 'wait', {
    inputs: { go: 'Block<void>', in: 'Block<u64>' },
    outputs: { out: 'Block<u64>' },
    async run({ inputs, outputs }) {
      if ((await inputs.go.recvOne()) === END) return;
      const v = await inputs.in.recvOne();
      if (v !== END) await outputs.out.sendOne(v);
    },
  });
  const events: EngineEvent[] = [];
  const logs: LogRecord[] = [];
  const design: Design = {
    entry: 'x::main',
    models: [ticker(1)],
    leaves: [leaf(0, 'main/tick', tick, {}, { ticker: 0 }), leaf(1, 'main/left', wait), leaf(2, 'main/right', wait)],
    connections: [conn(0, 'go', 1, 'go'), conn(0, 'go', 2, 'go'), conn(1, 'out', 2, 'in'), conn(2, 'out', 1, 'in')],
    sources: [{ leaf: 0, model: 0, source: 'tick' }],
  };
  const outcome = await new Engine(design, { log: (r) => logs.push(r), event: (e) => events.push(e) }).run();
  assert.equal(outcome.ok, false);
  assert.equal(logs.length, 1);
  assert.equal(logs[0]?.label, 'engine');
  assert.match(logs[0]?.message ?? '', /^deadlock: every live treatment waits on another/);
  assert.match(logs[0]?.message ?? '', /main\/left \(track 1\): receiving on 'in'/);
  assert.match(logs[0]?.message ?? '', /main\/right \(track 1\): receiving on 'in'/);
  const dead = events.find((e) => e.kind === 'deadlock');
  assert.ok(dead !== undefined && dead.kind === 'deadlock' && dead.waiting.length === 2);
  assert.deepEqual(events.at(-1), { kind: 'track-ended', track: 1, ok: false });
});

/** A model opening one track whose feed is `feed` (nothing, a synchronous one, one that throws…). */
const oneTrack = (request: TrackRequest) =>
  model('t', 'One', {
    sources: ['tick'],
    create: (ctx) => ({
      async continuous() {
        await ctx.createTrack('tick', request);
      },
    }),
  });

test("a track's tasks start producers first: a consumer placed before its producer finds the value there", async () => {
  const starts: (boolean | undefined)[] = [];
  const got: Value[] = [];
  // Sends at once when its trigger is there (and returns the send: its task ends with it).
  const now = treatment('t', 'now', {
    inputs: { trigger: 'Block<void>' },
    outputs: { out: 'Block<u64>' },
    run({ inputs, outputs }) {
      const t = inputs.trigger.tryRecvOne?.();
      if (t === END) return undefined;
      assert.notEqual(t, NOT_YET, 'the feed sent the trigger before the tasks started');
      return outputs.out.sendOne(9);
    },
  });
  const probe = treatment('t', 'probe', {
    inputs: { a: 'Block<u64>' },
    async run({ inputs }) {
      starts.push(inputs.a.ready);
      got.push(await inputs.a.recvOne());
    },
  });
  const One = oneTrack({ feed: async (o) => void (await o.go?.sendOne(undefined)) });
  const design: Design = {
    entry: 'x::main',
    models: [{ index: 0, path: 'main/one', descriptor: One, params: {} }],
    leaves: [
      leaf(0, 'main/tick', source('t', 'tick', { model: 'One', outputs: { go: 'Block<void>' } }), {}, { one: 0 }),
      // The consumer comes first in leaf order.
      leaf(1, 'main/probe', probe),
      leaf(2, 'main/now', now),
    ],
    connections: [conn(0, 'go', 2, 'trigger'), conn(2, 'out', 1, 'a')],
    sources: [{ leaf: 0, model: 0, source: 'tick' }],
  };
  const { outcome, logs } = await run(design);
  assert.deepEqual(logs, []);
  assert.equal(outcome.ok, true);
  assert.deepEqual(starts, [true]);
  assert.deepEqual(got, [9]);
});

test('a feed may return nothing once it sent everything; one that throws fails the run with its report', async () => {
  const got: Value[] = [];
  const gather = treatment('t', 'gatherAll', {
    inputs: { values: 'Stream<u64>' },
    async run({ inputs }) {
      for await (const b of inputs.values) for (const v of b) got.push(v as Value);
    },
  });
  const design = (feed: NonNullable<TrackRequest['feed']>): Design => {
    const One = oneTrack({ feed });
    return {
      entry: 'x::main',
      models: [{ index: 0, path: 'main/one', descriptor: One, params: {} }],
      leaves: [
        leaf(0, 'main/tick', source('t', 'tick', { model: 'One', outputs: { values: 'Stream<u64>' } }), {}, { one: 0 }),
        leaf(1, 'main/gather', gather),
      ],
      connections: [conn(0, 'values', 1, 'values')],
      sources: [{ leaf: 0, model: 0, source: 'tick' }],
    };
  };
  const quiet = await run(
    design((o) => {
      void o.values?.sendMany([1, 2, 3]);
      return undefined;
    }),
  );
  assert.deepEqual(quiet.logs, []);
  assert.equal(quiet.outcome.ok, true);
  assert.deepEqual(got, [1, 2, 3], 'the outputs closed when the feed returned: gather saw the end');
  const thrown = await run(
    design(() => {
      throw new Error('no feed today');
    }),
  );
  assert.equal(thrown.outcome.ok, false);
  assert.match(thrown.logs.map((l) => l.message).join('\n'), /feeding the track failed: no feed today/);
});

test('tracks with parameters reach the matching sources, whether given a registration object or an equal copy', async () => {
  const got: string[] = [];
  const Routed = model('t', 'Routed', {
    sources: ['hit'],
    create: (ctx) => ({
      async continuous() {
        const regs = ctx.registrations('hit');
        assert.ok(
          regs.every((r) => Object.isFrozen(r)),
          'registrations are frozen',
        );
        for (let round = 0; round < 3; round++)
          for (const r of regs) {
            // The registration itself (found by identity from the second time on), then a copy.
            await ctx.createTrack('hit', { params: r, feed: async (o) => void (await o.go?.sendOne(undefined)) });
            await ctx.createTrack('hit', { params: { ...r }, feed: async (o) => void (await o.go?.sendOne(undefined)) });
          }
      },
    }),
  });
  const hit = source('t', 'hit', { model: 'Routed', params: { route: 'const string' }, outputs: { go: 'Block<void>' } });
  const mark = treatment('t', 'mark', {
    params: { name: 'string' },
    inputs: { trigger: 'Block<void>' },
    async run({ inputs, params }) {
      if ((await inputs.trigger.recvOne()) !== END) got.push(String(params.name));
    },
  });
  const design: Design = {
    entry: 'x::main',
    models: [{ index: 0, path: 'main/routed', descriptor: Routed, params: {} }],
    leaves: [
      leaf(0, 'main/a', hit, { route: c('/a') }, { routed: 0 }),
      leaf(1, 'main/b', hit, { route: c('/b') }, { routed: 0 }),
      leaf(2, 'main/markA', mark, { name: c('A') }),
      leaf(3, 'main/markB', mark, { name: c('B') }),
    ],
    connections: [conn(0, 'go', 2, 'trigger'), conn(1, 'go', 3, 'trigger')],
    sources: [
      { leaf: 0, model: 0, source: 'hit' },
      { leaf: 1, model: 0, source: 'hit' },
    ],
  };
  const { outcome, logs } = await run(design);
  assert.deepEqual(logs, []);
  assert.equal(outcome.ok, true);
  assert.deepEqual(got, ['A', 'A', 'B', 'B', 'A', 'A', 'B', 'B', 'A', 'A', 'B', 'B']);
});

test('the start order keeps leaf order where producers already come first, and moves only producers placed later', async () => {
  const order: string[] = [];
  const step = treatment('t', 'step', {
    params: { name: 'string' },
    inputs: { trigger: 'Block<void>' },
    outputs: { done: 'Block<void>' },
    async run({ inputs, outputs, params }) {
      order.push(String(params.name));
      if ((await inputs.trigger.recvOne()) !== END) await outputs.done.sendOne(undefined);
    },
  });
  const One = oneTrack({ feed: async (o) => void (await o.go?.sendOne(undefined)) });
  const tickLeaf = leaf(0, 'main/tick', source('t', 'tick', { model: 'One', outputs: { go: 'Block<void>' } }), {}, { one: 0 });
  const design: Design = {
    entry: 'x::main',
    models: [{ index: 0, path: 'main/one', descriptor: One, params: {} }],
    leaves: [
      tickLeaf,
      leaf(1, 'main/build', step, { name: c('build') }),
      leaf(2, 'main/unit', step, { name: c('unit') }),
      leaf(3, 'main/lint', step, { name: c('lint') }),
      leaf(4, 'main/deploy', step, { name: c('deploy') }),
      leaf(5, 'main/package', step, { name: c('package') }),
    ],
    connections: [
      conn(0, 'go', 1, 'trigger'),
      conn(1, 'done', 2, 'trigger'),
      conn(0, 'go', 3, 'trigger'),
      // deploy waits on package, which comes after it.
      conn(5, 'done', 4, 'trigger'),
      conn(0, 'go', 5, 'trigger'),
    ],
    sources: [{ leaf: 0, model: 0, source: 'tick' }],
  };
  const { outcome, logs } = await run(design);
  assert.deepEqual(logs, []);
  assert.equal(outcome.ok, true);
  assert.deepEqual(order, ['build', 'unit', 'lint', 'package', 'deploy']);
});
