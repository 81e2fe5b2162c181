import assert from 'node:assert/strict';
import test from 'node:test';
import { ProxyError } from '../util/index.js';
import { ImageError } from './index.js';

test('ImageError is a ProxyError with its code, name and cause', () => {
  const cause = new Error('libvips says no');
  const error = new ImageError('cannot decode image', 'IMAGE_DECODE', { cause });
  assert.ok(error instanceof ProxyError);
  assert.equal(error.code, 'IMAGE_DECODE');
  assert.equal(error.name, 'ImageError');
  assert.equal(error.cause, cause);
});
