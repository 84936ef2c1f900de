/** `encoding` (libraries spec §6): streaming text decoding and encoding with WHATWG labels. */
import { treatment } from '@tutti/core';

const area = 'encoding';

export const encodingElements = [
  treatment(area, 'decode', {
    params: { encoding: 'var string = "utf-8"' },
    inputs: { data: 'Stream<byte>' },
    outputs: { text: 'Stream<string>' },
    doc: 'Stateful decoder for the WHATWG label `encoding` (a BOM overrides it): one string per chunk, then a flush.',
  }),
  treatment(area, 'encode', {
    params: { encoding: 'var string = "utf-8"', replace: 'var bool = false' },
    inputs: { text: 'Stream<string>' },
    outputs: { data: 'Stream<byte>' },
    doc: 'Encodes each string in the target encoding; unmappable characters as `&#NNNN;` when `replace`.',
  }),
];
