import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keptBuffer } from './kept-buffer.js';

test('a kept buffer serves every job up to its bound from one buffer, grown when needed', () => {
  const scratch = keptBuffer(1024);
  const first = scratch(100);
  first.fill(7);
  const smaller = scratch(50);
  assert.equal(smaller.length, 50);
  assert.equal(smaller.buffer, first.buffer, 'the same memory again');
  assert.equal(smaller[0], 7, 'not cleared: the caller writes every byte');
  const larger = scratch(200);
  assert.equal(larger.length, 200);
  assert.notEqual(larger.buffer, first.buffer, 'grown');
  assert.equal(scratch(150).buffer, larger.buffer, 'the grown one is kept');
});

test('a job beyond the bound gets a zeroed buffer of its own and the kept one stays', () => {
  const scratch = keptBuffer(1024);
  const kept = scratch(512);
  const huge = scratch(2048);
  assert.equal(huge.length, 2048);
  assert.notEqual(huge.buffer, kept.buffer);
  assert.ok(huge.every((byte) => byte === 0));
  assert.notEqual(scratch(2048).buffer, huge.buffer, 'not kept');
  assert.equal(scratch(512).buffer, kept.buffer);
});
