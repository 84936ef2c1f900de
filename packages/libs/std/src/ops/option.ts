/**
 * `std/ops/option` and `std/ops/option/block`: handling `Option<T>` values.
 *
 * None is `null` and some(v) is `v` itself (core values.ts), so wrapping is the identity on
 * values and unwrapping is a test against `null`: no behaviour here depends on `T`.
 */
import { type Batch, END, fn, treatment, type Value } from '@tutti/core';

const area = 'std/ops/option';
const block = 'std/ops/option/block';

/** A batch as a plain array: an `Option<byte>` flow carries arrays, never `Uint8Array`s. */
function asArray(b: Batch): readonly Value[] {
  return b instanceof Uint8Array ? Array.from(b) : b;
}

export const opsOption = [
  fn(area, 'unwrap_or', {
    generics: 'T',
    params: 'option: Option<T>, default: T',
    returns: 'T',
    doc: 'The inner value, or `default` when none.',
    impl: ([option, fallback]) => (option === null ? fallback : option),
  }),
  fn(area, 'wrap', {
    generics: 'T',
    params: 'value: T',
    returns: 'Option<T>',
    doc: 'Wraps `value` as some.',
    impl: ([value]) => value,
  }),
  treatment(area, 'unwrap', {
    generics: 'T',
    inputs: { option: 'Stream<Option<T>>' },
    outputs: { value: 'Stream<T>' },
    doc: 'Forwards inner values; none elements are dropped.',
    async run({ inputs, outputs }) {
      for (;;) {
        const b = await inputs.option.recvMany();
        if (b === END) return;
        const out: Value[] = [];
        for (let i = 0; i < b.length; i++) if (b[i] !== null) out.push(b[i]);
        // A batch of nones sends nothing (a batch is never empty), but a gone consumer must still stop us.
        if (out.length === 0 ? !outputs.value.usable : !(await outputs.value.sendMany(out))) return;
      }
    },
  }),
  treatment(area, 'unwrapOr', {
    generics: 'T',
    params: { default: 'var T' },
    inputs: { option: 'Stream<Option<T>>' },
    outputs: { value: 'Stream<T>' },
    doc: 'Forwards inner values; none elements become `default`.',
    async run({ inputs, outputs, params }) {
      const fallback = params.default;
      for (;;) {
        const b = await inputs.option.recvMany();
        if (b === END) return;
        const out: Value[] = new Array(b.length);
        for (let i = 0; i < b.length; i++) out[i] = b[i] === null ? fallback : b[i];
        if (!(await outputs.value.sendMany(out))) return;
      }
    },
  }),
  treatment(area, 'fuse', {
    generics: 'T',
    inputs: { option: 'Stream<Option<T>>' },
    outputs: { value: 'Stream<T>' },
    doc: 'Forwards inner values until the first none, then ends.',
    async run({ inputs, outputs }) {
      for (;;) {
        const b = await inputs.option.recvMany();
        if (b === END) return;
        let n = 0;
        while (n < b.length && b[n] !== null) n++;
        if (n > 0 && !(await outputs.value.sendMany(n === b.length ? asArray(b) : asArray(b.slice(0, n))))) return;
        if (n < b.length) return;
      }
    },
  }),
  treatment(area, 'wrap', {
    generics: 'T',
    inputs: { value: 'Stream<T>' },
    outputs: { option: 'Stream<Option<T>>' },
    doc: 'Wraps every value as some.',
    async run({ inputs, outputs }) {
      for (;;) {
        const b = await inputs.value.recvMany();
        if (b === END) return;
        if (!(await outputs.option.sendMany(asArray(b)))) return;
      }
    },
  }),
  treatment(block, 'unwrap', {
    generics: 'T',
    inputs: { option: 'Block<Option<T>>' },
    outputs: { value: 'Block<T>' },
    doc: 'Emits the inner value; closes empty on none.',
    async run({ inputs, outputs }) {
      const v = await inputs.option.recvOne();
      if (v === END || v === null) return;
      await outputs.value.sendOne(v);
    },
  }),
  treatment(block, 'unwrapOr', {
    generics: 'T',
    params: { default: 'var T' },
    inputs: { option: 'Block<Option<T>>' },
    outputs: { value: 'Block<T>' },
    doc: 'Emits the inner value, or `default` on none.',
    async run({ inputs, outputs, params }) {
      const v = await inputs.option.recvOne();
      if (v === END) return;
      await outputs.value.sendOne(v === null ? params.default : v);
    },
  }),
  treatment(block, 'wrap', {
    generics: 'T',
    inputs: { value: 'Block<T>' },
    outputs: { option: 'Block<Option<T>>' },
    doc: 'Emits the value wrapped as some.',
    async run({ inputs, outputs }) {
      const v = await inputs.value.recvOne();
      if (v === END) return;
      await outputs.option.sendOne(v);
    },
  }),
  treatment(block, 'map', {
    generics: 'T',
    inputs: { option: 'Block<Option<T>>' },
    outputs: { none: 'Block<void>', value: 'Block<T>' },
    doc: 'Splits the option: some goes to `value`, none signals `none`.',
    async run({ inputs, outputs }) {
      const v = await inputs.option.recvOne();
      if (v === END) return;
      if (v === null) await outputs.none.sendOne(undefined);
      else await outputs.value.sendOne(v);
    },
  }),
  treatment(block, 'reduce', {
    generics: 'T',
    inputs: { value: 'Block<T>', none: 'Block<void>' },
    outputs: { option: 'Block<Option<T>>' },
    doc: 'Whichever arrives first: a value gives some(value), a `none` signal gives none.',
    async run({ inputs, outputs }) {
      // Both inputs are awaited at once: the first to deliver decides; an input that
      // closes empty leaves the decision to the other; both empty close `option` empty.
      // The losing receive stays pending: the engine closes that input when we return.
      const value = inputs.value.recvOne().then((v) => ({ isValue: true, v }));
      const none = inputs.none.recvOne().then((v) => ({ isValue: false, v }));
      const first = await Promise.race([value, none]);
      const decided = first.v !== END ? first : await (first.isValue ? none : value);
      if (decided.v === END) return;
      await outputs.option.sendOne(decided.isValue ? decided.v : null);
    },
  }),
];
