// The parts of Node's test runner and strict assert module that the tests use
// (the sandbox has no @types/node).
declare module 'node:test' {
  export function test(name: string, fn: () => void | Promise<void>): void;
}

declare module 'node:assert/strict' {
  interface Assert {
    equal(actual: unknown, expected: unknown, message?: string): void;
    deepEqual(actual: unknown, expected: unknown, message?: string): void;
    ok(value: unknown, message?: string): void;
    throws(fn: () => unknown, expected?: unknown, message?: string): void;
  }
  const assert: Assert;
  export default assert;
}
