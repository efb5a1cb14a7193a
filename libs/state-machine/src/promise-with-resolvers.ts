/**
 * `Promise.withResolvers` (Node 22+) for Node 20: aws-local-stepfunctions 3.0.0 calls it in every
 * Task state. Imported first by the local runner; a no-op where the runtime has it.
 */
interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const PromiseWithResolvers = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };

if (typeof PromiseWithResolvers.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(): Resolvers<T> {
      let resolve!: Resolvers<T>['resolve'];
      let reject!: Resolvers<T>['reject'];
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

/** Whether `Promise.withResolvers` is available (always true once this module has loaded). */
export function hasPromiseWithResolvers(): boolean {
  return typeof PromiseWithResolvers.withResolvers === 'function';
}
