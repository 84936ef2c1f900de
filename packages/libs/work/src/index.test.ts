import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePackages } from '@tutti/core';
import { fs } from '@tutti/lib-fs';
import { process } from '@tutti/lib-process';
import { std } from '@tutti/lib-std';
import { work } from './index.js';

test('work descriptors are consistent with std, fs and process', () => {
  assert.deepEqual(validatePackages([std, fs, process, work]), []);
});

test('work/resources declares the elements of libraries spec §14.1', () => {
  const names = (kind: string, area: string) =>
    work.elements
      .filter((e) => e.kind === kind && e.area === area)
      .map((e) => e.name)
      .sort();
  assert.deepEqual(names('data', 'work/resources/arch'), ['Arch']);
  assert.deepEqual(names('function', 'work/resources/arch'), ['amd64', 'arm64']);
  assert.deepEqual(names('data', 'work/resources'), ['Container', 'Mount', 'ServiceContainer', 'Volume']);
  assert.deepEqual(names('function', 'work/resources'), ['container', 'mount', 'service_container', 'volume']);
  assert.deepEqual(names('treatment', 'work/resources'), ['getExecutor', 'getFileSystem']);
});
