/**
 * Suggestions for misspelt keys and names.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closestMatch, didYouMean, editDistance } from './did-you-mean.js';

test('edit distance counts insertions, deletions and substitutions', () => {
  assert.equal(editDistance('meta_sise', 'meta_size'), 1);
  assert.equal(editDistance('grid', 'grids'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('suggests the closest key and nothing for unrelated words', () => {
  const keys = ['meta_size', 'meta_buffer', 'base_dir', 'lock_dir'];
  assert.equal(closestMatch('meta_sise', keys), 'meta_size');
  assert.equal(closestMatch('Base_Dir', keys), 'base_dir');
  assert.equal(closestMatch('background', keys), undefined);
  assert.equal(didYouMean('lockdir', keys), " (did you mean 'lock_dir'?)");
  assert.equal(didYouMean('zzz', keys), '');
});
