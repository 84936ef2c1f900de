/**
 * The data types of `work/resources` that `distant`'s signature names (§14.1), declared
 * here only so this branch checks on its own: `work/resources` (the other half of the
 * issue) declares them with their functions and values; when both are merged, this file
 * is deleted (the descriptor test reports the duplicates if it is not).
 */
import { dataType } from '@tutti/core';

export const resourceTypes = [
  dataType('work/resources/arch', 'Arch', {
    traits: 'PartialEquality Serialize Deserialize Display ToString',
    doc: 'CPU architecture; text `"amd64"` / `"arm64"`.',
  }),
  dataType('work/resources', 'Container', { doc: 'Executor container spec.' }),
  dataType('work/resources', 'ServiceContainer', { doc: 'Side-car service container.' }),
  dataType('work/resources', 'Mount', { doc: 'Volume name and mount point.' }),
  dataType('work/resources', 'Volume', { doc: 'Shared volume name and size (MB).' }),
];
