import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dataType } from './descriptor/define.js';
import type { PackageDescriptor } from './descriptor/descriptor.js';
import { dataTypeNames, validatePackages } from './descriptor/validate.js';
import { parseTypeText } from './type-text.js';

const pkg = (name: string, elements: PackageDescriptor['elements']): PackageDescriptor => ({ name, version: '0.10.2', doc: '', elements });

test('two areas may declare one short data type name; descriptors then name it by identifier', () => {
  const a = pkg('a', [dataType('a/one', 'State'), dataType('a/one', 'Only')]);
  const b = pkg('b', [dataType('b/two', 'State')]);
  const names = dataTypeNames([a, b]);
  assert.equal(names.get('State'), undefined);
  assert.equal(names.get('a/one::State'), 'a/one::State');
  assert.equal(names.get('b/two::State'), 'b/two::State');
  assert.equal(names.get('Only'), 'a/one::Only');
  assert.deepEqual(validatePackages([a, b]), []);
  const resolve = (n: string) => names.get(n);
  assert.deepEqual(parseTypeText('Option<b/two::State>', resolve, new Set()), {
    kind: 'option',
    of: { kind: 'data', id: 'b/two::State', name: 'State' },
  });
  assert.throws(() => parseTypeText('State', resolve, new Set()), /unknown type 'State'/);
});
