/**
 * The `distrib` package (libraries spec §13): a treatment of the current program runs on
 * another engine (a `tutti dist` worker) while its inputs and outputs cross the connection.
 */
import type { PackageDescriptor } from '@tutti/core';

/** The bundled `distrib` package, version 0.10.2. */
export const distrib: PackageDescriptor = {
  name: 'distrib',
  version: '0.10.2',
  doc: 'Distributed execution: run a treatment on a worker engine and exchange its flows.',
  elements: [],
};
