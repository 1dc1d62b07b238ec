import { describe, expect, it } from 'vitest';
import { REQUIRED_NODE, unsupportedNode } from './node-version.ts';

describe('the Node.js version check', () => {
  it.each(['22.19.0', '22.19.1', '22.20.0', '23.0.0', '24.11.1', '25.0.0-pre'])(
    'accepts Node.js %s',
    (version) => {
      expect(unsupportedNode(version)).toBeUndefined();
    },
  );

  it.each(['22.18.9', '22.0.0', '21.7.3', '20.20.2', '18.20.8'])(
    'refuses Node.js %s in one line naming the version needed',
    (version) => {
      expect(unsupportedNode(version)).toBe(
        `digitalpost needs Node.js ${REQUIRED_NODE} or newer; this is Node.js ${version}`,
      );
    },
  );

  it('accepts the Node.js running the tests (engines in package.json asks at least as much)', () => {
    expect(unsupportedNode()).toBeUndefined();
  });
});
