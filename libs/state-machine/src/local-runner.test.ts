import { runLocally } from './local-runner';
import { hasPromiseWithResolvers } from './promise-with-resolvers';
import type { AslDefinition } from './definition';

const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:one';
const ONE_TASK: AslDefinition = {
  StartAt: 'Only',
  States: { Only: { Type: 'Task', Resource: ARN, TimeoutSeconds: 5, End: true } },
};

describe('runLocally', () => {
  it('polyfills Promise.withResolvers for the library on Node 20', () => {
    expect(hasPromiseWithResolvers()).toBe(true);
  });

  it('refuses to run when a Task function has no handler', async () => {
    await expect(runLocally({ definition: ONE_TASK, handlers: {}, input: {}, executionName: 'x' })).rejects.toThrow(
      'local-runner: no handler for function one (Task Only)',
    );
  });

  it('keeps the name of a thrown error, which Catch and the execution result match on', async () => {
    class CustomFailure extends Error {
      override readonly name = 'CustomFailure';
    }

    const result = await runLocally({
      definition: ONE_TASK,
      handlers: {
        one: async () => {
          throw new CustomFailure('boom');
        },
      },
      input: {},
      executionName: 'x',
    });

    expect(result).toMatchObject({ status: 'FAILED', error: 'CustomFailure', failedState: 'Only' });
    expect(result.status === 'FAILED' && JSON.parse(result.cause)).toMatchObject({
      errorType: 'CustomFailure',
      errorMessage: 'boom',
    });
  });

  it('passes a JSON copy of the input and returns a JSON copy of the result, undefined as null', async () => {
    const seen: unknown[] = [];

    const result = await runLocally({
      definition: ONE_TASK,
      handlers: {
        one: async (event) => {
          seen.push(event);
          return undefined;
        },
      },
      input: { a: 1 },
      executionName: 'x',
    });

    expect(seen).toEqual([{ a: 1 }]);
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: null });
  });
});
