import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, parseVersion } from '../src/semver.js';

test('parses versions', () => {
  assert.deepEqual(parseVersion('v1.2.3-beta.1+build.5'), { major: 1, minor: 2, patch: 3, prerelease: ['beta', '1'] });
  assert.throws(() => parseVersion('1.2'));
});

test('orders by major, minor and patch numerically', () => {
  assert.equal(compareVersions('1.2.3', '1.2.3'), 0);
  assert.equal(compareVersions('1.10.0', '1.9.9'), 1);
  assert.equal(compareVersions('0.9.9', '1.0.0'), -1);
});

test('ignores build metadata', () => {
  assert.equal(compareVersions('1.0.0+a', '1.0.0+b'), 0);
});
