/**
 * The `std` package: descriptors of its native elements, plus its own
 * `.mel` areas under `mel/` (`mel/engine/util.mel` is the area `std/engine/util`).
 */
import { fileURLToPath } from 'node:url';
import type { PackageDescriptor } from '@tutti/core';
import { conv } from './conv.js';
import { dataMap } from './data/map.js';
import { dataStringMap } from './data/string_map.js';
import { log } from './engine/log.js';
import { engine } from './engine.js';
import { concentrate } from './flow/concentrate.js';
import { flowVec } from './flow/vec.js';
import { flow } from './flow.js';
import { opsBin } from './ops/bin.js';
import { opsFloat } from './ops/float.js';
import { opsNum } from './ops/num.js';
import { opsOption } from './ops/option.js';
import { opsVec } from './ops/vec.js';
import { ops } from './ops.js';
import { textCompare } from './text/compare.js';
import { textCompose } from './text/compose.js';
import { textConvert } from './text/convert.js';
import { types } from './types.js';

/** The bundled `std` package, version 0.10.2 (the version every bundled package reports). */
export const std: PackageDescriptor = {
  name: 'std',
  version: '0.10.2',
  doc: 'Standard library: engine, logging, flow control, conversions, operations, data and text.',
  melRoot: fileURLToPath(new URL('../mel', import.meta.url)),
  elements: [
    ...engine,
    ...log,
    ...flow,
    ...flowVec,
    ...concentrate,
    ...conv,
    ...ops,
    ...opsNum,
    ...opsFloat,
    ...opsBin,
    ...opsOption,
    ...opsVec,
    ...dataMap,
    ...dataStringMap,
    ...textCompose,
    ...textCompare,
    ...textConvert,
    ...types,
  ],
};

export { type MapEntry, MapValue } from './data/map-value.js';
export { StringMapValue } from './data/string-map-value.js';
export { LevelValue } from './engine/level.js';
export { ENGINE_VERSION, groupId, runId } from './engine.js';
export { trimWhiteSpaceEnd } from './text/whitespace.js';
