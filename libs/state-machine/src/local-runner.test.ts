import { localExecutionArn, runLocally } from './local-runner';
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

  describe('aborted through its signal', () => {
    const TWO_TASKS: AslDefinition = {
      StartAt: 'First',
      States: {
        First: { Type: 'Task', Resource: ARN, TimeoutSeconds: 5, Next: 'Second' },
        Second: { Type: 'Task', Resource: 'arn:aws:lambda:eu-west-1:123456789012:function:two', TimeoutSeconds: 5, End: true },
      },
    };

    it('stops at once while a Task runs: ABORTED naming the state, and no later state runs', async () => {
      const stop = new AbortController();
      let secondCalls = 0;
      let entered: () => void = () => undefined;
      const firstRunning = new Promise<void>((resolve) => (entered = resolve));
      let releaseFirst: (result: unknown) => void = () => undefined;
      const running = runLocally({
        definition: TWO_TASKS,
        handlers: {
          one: () => {
            entered();
            return new Promise((done) => (releaseFirst = done));
          },
          two: async () => {
            secondCalls += 1;
            return null;
          },
        },
        input: {},
        executionName: 'x',
        signal: stop.signal,
      });
      await firstRunning;

      const t0 = performance.now();
      stop.abort();
      const result = await running;
      const ms = performance.now() - t0;
      releaseFirst({ ok: true });
      await new Promise((settle) => setTimeout(settle, 20));

      expect(result).toMatchObject({ status: 'ABORTED', executionArn: localExecutionArn('x'), state: 'First' });
      expect(ms).toBeLessThan(1000);
      expect(secondCalls).toBe(0);
    });

    it('names the Map, not its inner state, when aborted inside an iteration', async () => {
      const stop = new AbortController();
      const definition: AslDefinition = {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemsPath: '$.items',
            ItemProcessor: { StartAt: 'Inner', States: { Inner: { Type: 'Task', Resource: ARN, TimeoutSeconds: 5, End: true } } },
            End: true,
          },
        },
      };
      const entered: string[] = [];

      const result = await runLocally({
        definition,
        // Aborted a moment after the iteration started, once its events reached the run's.
        handlers: { one: () => new Promise(() => setTimeout(() => stop.abort(), 20)) },
        input: { items: [1, 2] },
        executionName: 'x',
        signal: stop.signal,
        onStateEntered: (event) => entered.push(event.name),
      });

      expect(result).toMatchObject({ status: 'ABORTED', state: 'Each' });
      expect(entered).toContain('Inner');
    });

    it('runs nothing when the signal is already aborted', async () => {
      let calls = 0;

      const result = await runLocally({
        definition: ONE_TASK,
        handlers: { one: async () => (calls += 1) },
        input: {},
        executionName: 'x',
        signal: AbortSignal.abort(),
      });

      expect(result).toMatchObject({ status: 'ABORTED', executionArn: localExecutionArn('x'), state: 'Only' });
      expect(calls).toBe(0);
    });
  });
});
