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

test('a pre-release comes before its release', () => {
  assert.equal(compareVersions('1.0.0-beta', '1.0.0'), -1);
  assert.equal(compareVersions('1.0.0', '1.0.0-rc.1'), 1);
  assert.equal(compareVersions('1.0.0-rc.1', '0.9.0'), 1);
});

test('orders pre-release identifiers as semver says', () => {
  const ordered = [
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
  ];
  for (let i = 0; i < ordered.length - 1; i++) {
    assert.equal(compareVersions(ordered[i], ordered[i + 1]), -1, `${ordered[i]} < ${ordered[i + 1]}`);
    assert.equal(compareVersions(ordered[i + 1], ordered[i]), 1, `${ordered[i + 1]} > ${ordered[i]}`);
  }
  assert.equal(compareVersions('1.0.0-beta.2', '1.0.0-beta.2+build'), 0);
});
