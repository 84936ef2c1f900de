/**
 * `log/console::console` of the 0.9 surface. In the reference, this treatment was how a
 * 0.9 program put its logs on the terminal. Tutti's host already prints every record that
 * goes through the engine's log, which is every record a 0.9 program logs; `console` prints
 * the others (records built elsewhere and injected into a Logger, e.g. received from
 * another engine), so that each record reaches the terminal once.
 */
import { END, treatment } from '@tutti/core';
import type { LogValue } from './log-value.js';

export const console = [
  treatment('log/console', 'console', {
    params: { timestamp: 'var bool = false' },
    inputs: { logs: 'Stream<log/logger::Log>' },
    doc: 'Prints on stdout the records the host has not printed already (`level: label: message`, after `[time]` with `timestamp`).',
    async run(ctx) {
      const stamp = ctx.params.timestamp === true;
      for (;;) {
        const batch = await ctx.inputs.logs.recvMany();
        if (batch === END) return;
        let text = '';
        for (const l of batch as readonly LogValue[])
          if (!l.shown) text += `${stamp ? `[${l.timestamp.toISOString()}] ` : ''}${l.level}: ${l.label}: ${l.message}\n`;
        if (text !== '') process.stdout.write(text);
      }
    },
  }),
];
