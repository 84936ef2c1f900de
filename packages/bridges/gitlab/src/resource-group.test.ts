import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResourceGroups } from './run.js';

test('resource groups: one holder per name, waiters in arrival order, other names free, an abort leaves the queue', async () => {
  const groups = new ResourceGroups();
  const order: string[] = [];
  const never = new AbortController().signal;
  const first = await groups.acquire('prod', never);
  assert.ok(first !== undefined && groups.busy('prod'));
  const other = await groups.acquire('staging', never);
  assert.ok(other !== undefined, 'another group is free');
  const abort = new AbortController();
  const b = groups.acquire('prod', never).then((r) => {
    order.push('b');
    return r;
  });
  const gone = groups.acquire('prod', abort.signal);
  const c = groups.acquire('prod', never).then((r) => {
    order.push('c');
    return r;
  });
  abort.abort();
  assert.equal(await gone, undefined);
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(order, [], 'nobody gets prod while it is held');
  first();
  (await b)?.();
  (await c)?.();
  assert.deepEqual(order, ['b', 'c']);
  assert.ok(!groups.busy('prod'));
  other();
});
