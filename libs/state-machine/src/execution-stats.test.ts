import type { AslDefinition, AslState, AslStates } from './definition';
import { PAYLOAD_LIMIT_BYTES } from './execution-stats';
import { type LocalHandler, type LocalRunResult, runLocally, type RunLocallyOptions } from './local-runner';

const arn = (fn: string): string => `arn:aws:lambda:eu-west-1:123456789012:function:${fn}`;
const task = (fn: string, fields: Partial<AslState> = {}): AslState => ({ Type: 'Task', Resource: arn(fn), TimeoutSeconds: 5, End: true, ...fields });
const echo: LocalHandler = async (event) => event;

async function run(definition: AslDefinition, extra: Partial<RunLocallyOptions> = {}): Promise<LocalRunResult> {
  return runLocally({ definition, handlers: { one: echo, two: echo }, input: {}, executionName: 'x', retryIntervalMs: 0, ...extra });
}

describe('stats', () => {
  describe('history_events, counted as AWS records them', () => {
    it('counts 12 for two Lambda Tasks: ExecutionStarted, 5 per Task, ExecutionSucceeded', async () => {
      const definition: AslDefinition = { StartAt: 'First', States: { First: task('one', { End: undefined, Next: 'Second' }), Second: task('two') } };

      const result = await run(definition);

      expect(result).toMatchObject({ status: 'SUCCEEDED', stats: { history_events: 12, child_executions: 0, largest_child_history: 0 } });
    });

    it('adds Scheduled, Started and Failed/Succeeded per retry', async () => {
      let calls = 0;
      const flaky: LocalHandler = async () => {
        calls += 1;
        if (calls < 3) throw Object.assign(new Error('again'), { name: 'Flaky' });
        return null;
      };
      const definition: AslDefinition = { StartAt: 'Only', States: { Only: task('one', { Retry: [{ ErrorEquals: ['Flaky'], MaxAttempts: 2 }] }) } };

      const result = await run(definition, { handlers: { one: flaky } });

      expect(result.stats.history_events).toBe(1 + 5 + 3 + 3 + 1);
    });

    it('counts 2 for a Pass or Choice, 1 for a Fail, and no TaskStateExited for a Task whose error ends the run', async () => {
      const passToFail: AslDefinition = {
        StartAt: 'Start',
        States: {
          Start: { Type: 'Pass', Next: 'Pick' },
          Pick: { Type: 'Choice', Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'Stop' }], Default: 'Stop' },
          Stop: { Type: 'Fail', Error: 'Stopped', Cause: 'by design' },
        },
      };
      const failing: AslDefinition = { StartAt: 'Only', States: { Only: task('one') } };

      const failed = await run(passToFail, { input: { go: true } });
      const taskFailed = await run(failing, {
        handlers: {
          one: async () => {
            throw new Error('no');
          },
        },
      });

      expect(failed).toMatchObject({ status: 'FAILED', error: 'Stopped', stats: { history_events: 1 + 2 + 2 + 1 + 1 } });
      expect(taskFailed).toMatchObject({ status: 'FAILED', stats: { history_events: 1 + 4 + 1 } });
    });

    it('counts an inline Map of 3 items with one Task: Map entered/started, per iteration started + 5 + succeeded, Map succeeded/exited', async () => {
      const definition: AslDefinition = {
        StartAt: 'Each',
        States: { Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { StartAt: 'Inner', States: { Inner: task('one') } }, End: true } },
      };

      const result = await run(definition, { input: { items: [1, 2, 3] } });

      expect(result).toMatchObject({ status: 'SUCCEEDED', stats: { history_events: 1 + 2 + 3 * (1 + 5 + 1) + 2 + 1, child_executions: 0 } });
    });

    it('counts a Distributed Map of 3 items as 6 events in the parent; each child has its own history', async () => {
      const processor = { ProcessorConfig: { Mode: 'DISTRIBUTED' }, StartAt: 'Inner', States: { Inner: task('one') } } as AslStates;
      const definition: AslDefinition = { StartAt: 'Each', States: { Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: processor, End: true } } };

      const result = await run(definition, { input: { items: [1, 2, 3] } });

      expect(result).toMatchObject({
        status: 'SUCCEEDED',
        stats: { history_events: 1 + 6 + 1, child_executions: 3, largest_child_history: 1 + 5 + 1 },
      });
    });

    it('counts a caught Distributed Map failure once as MapRunFailed and MapStateFailed', async () => {
      const processor = { ProcessorConfig: { Mode: 'DISTRIBUTED' }, StartAt: 'Inner', States: { Inner: task('one') } } as AslStates;
      const definition: AslDefinition = {
        StartAt: 'Each',
        States: {
          Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: processor, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Done' }], Next: 'Done' },
          Done: { Type: 'Pass', End: true },
        },
      };
      const failing: LocalHandler = async () => {
        throw new Error('child');
      };

      const result = await run(definition, { input: { items: [1] }, handlers: { one: failing } });

      // Started; MapStateEntered, MapStateStarted, MapRunStarted, MapRunFailed, MapStateFailed, MapStateExited; Pass 2; Succeeded.
      expect(result).toMatchObject({ status: 'SUCCEEDED', stats: { history_events: 1 + 6 + 2 + 1, child_executions: 1 } });
    });
  });

  describe('largest payloads', () => {
    it('reports the largest state input/output and Lambda request/response, children included', async () => {
      const processor = { ProcessorConfig: { Mode: 'DISTRIBUTED' }, StartAt: 'Inner', States: { Inner: task('two') } } as AslStates;
      const definition: AslDefinition = {
        StartAt: 'First',
        States: {
          First: task('one', { End: undefined, Next: 'Each', ResultPath: null }),
          Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: processor, ResultPath: null, End: true },
        },
      };
      const big = 'x'.repeat(10_000);

      const result = await run(definition, {
        input: { items: [1, 2] },
        handlers: { one: async () => ({ small: true }), two: async (event) => ({ event, big }) },
      });

      expect(result.stats.largest_task_payload).toEqual({ state: 'Inner', bytes: JSON.stringify({ event: 2, big }).length });
      expect(result.stats.largest_state_payload).toEqual({ state: 'Inner', bytes: JSON.stringify({ event: 1, big }).length });
    });

    it('counts UTF-8 bytes, not characters', async () => {
      const definition: AslDefinition = { StartAt: 'Only', States: { Only: task('one') } };

      const result = await run(definition, { input: 'ü€' });

      expect(result.stats.largest_task_payload).toEqual({ state: 'Only', bytes: Buffer.byteLength('"ü€"') });
    });
  });
});

describe('the payload limit (States.DataLimitExceeded)', () => {
  const over = 'x'.repeat(300 * 1024);

  it('is 256 KiB', () => {
    expect(PAYLOAD_LIMIT_BYTES).toBe(262_144);
  });

  it('fails the run when a Task returns 300 KB, and its Catch does not catch it', async () => {
    let recovered = 0;
    const definition: AslDefinition = {
      StartAt: 'Big',
      States: {
        Big: task('one', { End: undefined, Next: 'Done', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Recover' }] }),
        Recover: task('two', { End: true }),
        Done: { Type: 'Succeed' },
      },
    };

    const result = await run(definition, {
      handlers: {
        one: async () => ({ data: over }),
        two: async () => {
          recovered += 1;
          return null;
        },
      },
    });

    const bytes = JSON.stringify({ data: over }).length;
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'States.DataLimitExceeded',
      cause: `The response of state Big is ${bytes} bytes, over the 262144-byte payload limit of Step Functions.`,
      failedState: 'Big',
    });
    expect(recovered).toBe(0);
  });

  it('fails the run on a state output over the limit before the next Task starts', async () => {
    let calls = 0;
    const definition: AslDefinition = {
      StartAt: 'Grow',
      States: { Grow: { Type: 'Pass', Result: { data: over }, Next: 'After' }, After: task('one') },
    };

    const result = await run(definition, {
      handlers: {
        one: async () => {
          calls += 1;
          return null;
        },
      },
    });

    expect(result).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded', failedState: 'Grow' });
    expect(result.status === 'FAILED' && result.cause).toMatch(/^The output of state Grow is \d+ bytes, over the 262144-byte payload limit/);
    expect(calls).toBe(0);
  });

  it('fails the run on a Lambda request over the limit without calling the function, inside an inline Map too', async () => {
    let calls = 0;
    const definition: AslDefinition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: { StartAt: 'Inner', States: { Inner: task('one', { Parameters: { 'value.$': '$', pad: over } }) } },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Succeed' },
      },
    };

    const result = await run(definition, {
      input: { items: [1] },
      handlers: {
        one: async () => {
          calls += 1;
          return null;
        },
      },
    });

    expect(result).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded', failedState: 'Inner' });
    expect(result.status === 'FAILED' && result.cause).toMatch(/^The request of state Inner is \d+ bytes/);
    expect(calls).toBe(0);
  });

  it('fails only the child execution whose payload is over the limit: its Map counts it as a failed child', async () => {
    const processor = { ProcessorConfig: { Mode: 'DISTRIBUTED' }, StartAt: 'Inner', States: { Inner: task('one') } } as AslStates;
    const definition: AslDefinition = { StartAt: 'Each', States: { Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: processor, End: true } } };

    const result = await run(definition, { input: { items: [1] }, handlers: { one: async () => over } });

    expect(result).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold', failedState: 'Each' });
  });
});
