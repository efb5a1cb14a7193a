import { StateMachine } from 'aws-local-stepfunctions';
import type { AslDefinition, AslState, AslStates } from './definition';
import { DISTRIBUTED_MAP_RESOURCE, type LocalObjectPort, replaceDistributedMaps } from './distributed-map';
import { type LocalHandler, type LocalRunResult, type LocalStateEvent, runLocally, type RunLocallyOptions } from './local-runner';

const WORK_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:work';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** An in-memory S3: `bucket/key` → body. */
class MemoryObjects implements LocalObjectPort {
  readonly bodies = new Map<string, string>();

  async get(bucket: string, key: string): Promise<Uint8Array | undefined> {
    const body = this.bodies.get(`${bucket}/${key}`);
    return body === undefined ? undefined : new TextEncoder().encode(body);
  }

  async put(bucket: string, key: string, body: string): Promise<void> {
    this.bodies.set(`${bucket}/${key}`, body);
  }

  json(bucket: string, key: string): unknown {
    const body = this.bodies.get(`${bucket}/${key}`);
    if (body === undefined) throw new Error(`no object ${bucket}/${key}`);
    return JSON.parse(body);
  }
}

const WORK: AslState = { Type: 'Task', Resource: WORK_ARN, TimeoutSeconds: 5, End: true };

/** An ItemProcessor in DISTRIBUTED mode (AslStates has no ProcessorConfig field). */
function distributed(states: Record<string, AslState> = { Work: WORK }, startAt = 'Work'): AslStates {
  return { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: startAt, States: states } as AslStates;
}

/** `Each` (a Distributed Map running `Work` per item) with the given fields, then `Done` (Pass) after it or a Catch. */
function mapMachine(fields: Record<string, unknown>, processor: AslStates = distributed()): AslDefinition {
  return {
    StartAt: 'Each',
    States: {
      Each: { Type: 'Map', ItemProcessor: processor, Next: 'Done', ...fields },
      Done: { Type: 'Pass', End: true },
    },
  };
}

function jsonReader(key: string, config: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Resource: 'arn:aws:states:::s3:getObject',
    ReaderConfig: { InputType: 'JSON', ...config },
    Parameters: { Bucket: 'in', 'Key.$': key },
  };
}

const echo: LocalHandler = async (event) => event;

async function run(definition: AslDefinition, extra: Partial<RunLocallyOptions> = {}): Promise<LocalRunResult> {
  return runLocally({ definition, handlers: { work: echo }, input: {}, executionName: 'parent', retryIntervalMs: 0, ...extra });
}

function outputOf(result: LocalRunResult): unknown {
  if (result.status !== 'SUCCEEDED') throw new Error(`expected SUCCEEDED, got ${JSON.stringify(result)}`);
  return result.output;
}

describe('replaceDistributedMaps', () => {
  it('turns a Distributed Map into a local Task that keeps its I/O, Retry, Catch and transition, and evaluates its paths', () => {
    const map: AslState = {
      Type: 'Map',
      InputPath: '$.in',
      OutputPath: '$.out',
      ResultSelector: { 'r.$': '$' },
      ResultPath: '$.result',
      Retry: [{ ErrorEquals: ['States.ItemReaderFailed'], MaxAttempts: 1 }],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Done' }],
      ItemReader: { ...jsonReader('$.key', { MaxItemsPath: '$.max' }) },
      ItemSelector: { 'v.$': '$$.Map.Item.Value' },
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'out', 'Prefix.$': '$.prefix' } },
      MaxConcurrencyPath: '$.concurrency',
      ToleratedFailurePercentagePath: '$.percentage',
      ToleratedFailureCountPath: '$.count',
      ItemProcessor: distributed(),
      Next: 'Done',
    };
    const definition: AslDefinition = { StartAt: 'Each', States: { Each: map, Done: { Type: 'Pass', End: true } } };

    const emulated = replaceDistributedMaps(definition);

    expect([...emulated.distributedMaps.keys()]).toEqual(['Each']);
    expect(emulated.definition.States['Each']).toEqual({
      Type: 'Task',
      Resource: DISTRIBUTED_MAP_RESOURCE,
      TimeoutSeconds: expect.any(Number),
      Parameters: {
        'input.$': '$',
        reader: { Bucket: 'in', 'Key.$': '$.key' },
        'max_items.$': '$.max',
        writer: { Bucket: 'out', 'Prefix.$': '$.prefix' },
        'max_concurrency.$': '$.concurrency',
        'tolerated_failure_percentage.$': '$.percentage',
        'tolerated_failure_count.$': '$.count',
      },
      InputPath: '$.in',
      OutputPath: '$.out',
      ResultSelector: { 'r.$': '$' },
      ResultPath: '$.result',
      Retry: map.Retry,
      Catch: map.Catch,
      Next: 'Done',
    });
    expect(emulated.definition.States['Done']).toEqual({ Type: 'Pass', End: true });
  });

  it('replaces Distributed Maps inside inline Maps and Parallel branches, and leaves inline Maps to the library', () => {
    const inner: AslState = { Type: 'Map', ItemsPath: '$.items', ItemProcessor: distributed(), End: true };
    const definition: AslDefinition = {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Inline', States: { Inline: { Type: 'Map', ItemProcessor: { StartAt: 'DeepMap', States: { DeepMap: inner } }, End: true } } },
            { StartAt: 'BranchMap', States: { BranchMap: inner } },
          ],
          End: true,
        },
      },
    };

    const emulated = replaceDistributedMaps(definition);

    expect([...emulated.distributedMaps.keys()].sort()).toEqual(['BranchMap', 'DeepMap']);
    const [first, second] = emulated.definition.States['Both']?.Branches ?? [];
    expect(first?.States['Inline']?.Type).toBe('Map');
    expect(first?.States['Inline']?.ItemProcessor?.States['DeepMap']).toMatchObject({ Type: 'Task', Parameters: { 'items.$': '$.items' } });
    expect(second?.States['BranchMap']).toMatchObject({ Type: 'Task', Resource: DISTRIBUTED_MAP_RESOURCE });
  });
});

describe('runLocally with a Distributed Map', () => {
  describe('items', () => {
    it('takes them from ItemsPath without an ItemReader, one child execution each, outputs in item order', async () => {
      const entered: LocalStateEvent[] = [];
      const exited: LocalStateEvent[] = [];

      const result = await run(mapMachine({ ItemsPath: '$.items', ResultPath: '$.results' }), {
        input: { items: [{ n: 1 }, { n: 2 }, { n: 3 }] },
        handlers: { work: async (event) => ({ doubled: (event as { n: number }).n * 2 }) },
        onStateEntered: (event) => entered.push(event),
        onStateExited: (event) => exited.push(event),
      });

      expect(outputOf(result)).toEqual({ items: [{ n: 1 }, { n: 2 }, { n: 3 }], results: [{ doubled: 2 }, { doubled: 4 }, { doubled: 6 }] });
      expect(entered.map((event) => `${event.name}:${event.type}`)).toEqual(['Each:Map', 'Work:Task', 'Work:Task', 'Work:Task', 'Done:Pass']);
      expect(exited.filter((event) => event.name === 'Work').map((event) => event.output)).toEqual(
        expect.arrayContaining([{ doubled: 2 }, { doubled: 4 }, { doubled: 6 }]),
      );
      expect(result.stats.child_executions).toBe(3);
    });

    it('uses the whole effective input as the items without ItemsPath', async () => {
      const definition: AslDefinition = { StartAt: 'Each', States: { Each: { Type: 'Map', InputPath: '$.list', ItemProcessor: distributed(), End: true } } };

      expect(outputOf(await run(definition, { input: { list: ['a', 'b'] } }))).toEqual(['a', 'b']);
    });

    it('fails with States.Runtime when ItemsPath is not an array', async () => {
      const result = await run(mapMachine({ ItemsPath: '$.items' }), { input: { items: 'no' } });

      expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime', failedState: 'Each' });
      expect(result.status === 'FAILED' && result.cause).toBe('Distributed Map Each has ItemsPath $.items, which does not point to an array.');
    });

    it('reads a JSON array through ItemReader', async () => {
      const objects = new MemoryObjects();
      await objects.put('in', 'items.json', JSON.stringify([{ id: 'a' }, { id: 'b' }]));

      const result = await run(mapMachine({ ItemReader: jsonReader('$.key'), OutputPath: '$' }), { input: { key: 'items.json' }, objects });

      expect(outputOf(result)).toEqual([{ id: 'a' }, { id: 'b' }]);
    });

    it('reads JSON Lines, skipping empty lines', async () => {
      const objects = new MemoryObjects();
      await objects.put('in', 'items.jsonl', '{"id":"a"}\r\n\n  \n"b"\n3\n');

      const result = await run(mapMachine({ ItemReader: jsonReader('$.key', { InputType: 'JSONL' }) }), { input: { key: 'items.jsonl' }, objects });

      expect(outputOf(result)).toEqual([{ id: 'a' }, 'b', 3]);
    });

    it('reads CSV with its header in the first row, quoted fields included, each value a string', async () => {
      const objects = new MemoryObjects();
      await objects.put('in', 'rows.csv', 'id,name,note\n1,"Smith, Jane","said ""hi""\nthen left"\n\n2,Bob,\n');

      const result = await run(mapMachine({ ItemReader: jsonReader('$.key', { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }) }), {
        input: { key: 'rows.csv' },
        objects,
      });

      expect(outputOf(result)).toEqual([
        { id: '1', name: 'Smith, Jane', note: 'said "hi"\nthen left' },
        { id: '2', name: 'Bob', note: '' },
      ]);
    });

    it('reads CSV with GIVEN headers (the first row is data) and another delimiter', async () => {
      const objects = new MemoryObjects();
      await objects.put('in', 'rows.csv', 'a|1\nb|"2|3"\n');

      const result = await run(
        mapMachine({ ItemReader: jsonReader('$.key', { InputType: 'CSV', CSVHeaderLocation: 'GIVEN', CSVHeaders: ['letter', 'digits'], CSVDelimiter: 'PIPE' }) }),
        { input: { key: 'rows.csv' }, objects },
      );

      expect(outputOf(result)).toEqual([
        { letter: 'a', digits: '1' },
        { letter: 'b', digits: '2|3' },
      ]);
    });

    it('keeps the first MaxItems items, or as many as MaxItemsPath says', async () => {
      const objects = new MemoryObjects();
      await objects.put('in', 'items.json', JSON.stringify([1, 2, 3, 4, 5]));
      await objects.put('in', 'rows.csv', 'n\n1\n2\n3\n');

      const fixed = await run(mapMachine({ ItemReader: jsonReader('$.key', { MaxItems: 2 }) }), { input: { key: 'items.json' }, objects });
      const byPath = await run(mapMachine({ ItemReader: jsonReader('$.key', { MaxItemsPath: '$.max' }) }), {
        input: { key: 'items.json', max: 4 },
        objects,
      });
      const csv = await run(mapMachine({ ItemReader: jsonReader('$.key', { InputType: 'CSV', MaxItems: 2 }) }), { input: { key: 'rows.csv' }, objects });

      expect(outputOf(fixed)).toEqual([1, 2]);
      expect(outputOf(byPath)).toEqual([1, 2, 3, 4]);
      expect(outputOf(csv)).toEqual([{ n: '1' }, { n: '2' }]);
    });

    it('fails with States.ItemReaderFailed on a missing object, which a Catch catches', async () => {
      const objects = new MemoryObjects();
      const definition = mapMachine({
        ItemReader: jsonReader('$.key'),
        Catch: [{ ErrorEquals: ['States.ItemReaderFailed'], ResultPath: '$.error', Next: 'Done' }],
      });

      const result = await run(definition, { input: { key: 'missing.json' }, objects });

      expect(outputOf(result)).toEqual({
        key: 'missing.json',
        error: { Error: 'States.ItemReaderFailed', Cause: 'Distributed Map Each could not read its items: s3://in/missing.json does not exist.' },
      });
    });

    it.each([
      ['a JSON object', { InputType: 'JSON' }, undefined, '{"not":"an array"}', 's3://in/k holds JSON that is not an array'],
      ['invalid JSON', { InputType: 'JSON' }, undefined, '[1,', 's3://in/k is not valid JSON ('],
      ['an invalid JSON line', { InputType: 'JSONL' }, undefined, '1\n{x\n', 'line 2 of s3://in/k is not valid JSON ('],
      ['an unknown InputType', { InputType: 'PARQUET' }, undefined, '[]', 's3://in/k has InputType "PARQUET", not one of JSON, JSONL and CSV'],
      ['a manifest', { InputType: 'MANIFEST' }, undefined, '[]', 'InputType MANIFEST of s3://in/k is not emulated locally'],
      ['listObjectsV2', {}, 'arn:aws:states:::s3:listObjectsV2', '[]', 'ItemReader Resource "arn:aws:states:::s3:listObjectsV2" is not emulated locally'],
      ['CSV rows of another length', { InputType: 'CSV' }, undefined, 'a,b\n1\n', 's3://in/k is not valid CSV ('],
      ['GIVEN without headers', { InputType: 'CSV', CSVHeaderLocation: 'GIVEN' }, undefined, '1,2\n', 's3://in/k has CSVHeaderLocation GIVEN without CSVHeaders'],
    ])('fails with States.ItemReaderFailed on %s', async (_label, config, resource, body, problem) => {
      const objects = new MemoryObjects();
      await objects.put('in', 'k', body);
      const reader = { ...jsonReader('$.key'), ReaderConfig: config, ...(resource === undefined ? {} : { Resource: resource }) };

      const result = await run(mapMachine({ ItemReader: reader }), { input: { key: 'k' }, objects });

      expect(result).toMatchObject({ status: 'FAILED', error: 'States.ItemReaderFailed', failedState: 'Each' });
      expect(result.status === 'FAILED' && result.cause).toContain(`Distributed Map Each could not read its items: ${problem}`);
    });

    it('refuses to run a Distributed Map that reads or writes S3 without an objects port', async () => {
      await expect(run(mapMachine({ ItemReader: jsonReader('$.key') }))).rejects.toThrow(
        'local-runner: Distributed Map Each reads its items from S3 (ItemReader), but runLocally was given no objects port',
      );
      await expect(
        run(mapMachine({ ItemsPath: '$.items', ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'b', Prefix: 'p' } } })),
      ).rejects.toThrow('local-runner: Distributed Map Each writes its results to S3 (ResultWriter), but runLocally was given no objects port');
    });

    it('refuses an ItemBatcher and a ResultWriter WriterConfig it does not emulate', async () => {
      const objects = new MemoryObjects();
      const writer = (config: unknown) => ({ Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'b', Prefix: 'p' }, WriterConfig: config });

      await expect(run(mapMachine({ ItemBatcher: { MaxItemsPerBatch: 10 } }), { objects })).rejects.toThrow(
        'local-runner: Distributed Map Each has an ItemBatcher, which the local runner does not emulate',
      );
      await expect(run(mapMachine({ ResultWriter: writer({ Transformation: 'FLATTEN', OutputType: 'JSON' }) }), { objects })).rejects.toThrow(
        'local-runner: Distributed Map Each has ResultWriter WriterConfig {"Transformation":"FLATTEN","OutputType":"JSON"}, and only',
      );
      const plain = await run(mapMachine({ ItemsPath: '$.items', ResultWriter: writer({ Transformation: 'NONE', OutputType: 'JSON' }) }), {
        objects,
        input: { items: [] },
      });
      expect(plain.status).toBe('SUCCEEDED');
    });
  });

  describe('ItemSelector', () => {
    it('relies on the library resolving $$.Map.Item from the context a run is given', async () => {
      const machine = new StateMachine({
        StartAt: 'Select',
        States: { Select: { Type: 'Pass', Parameters: { 'index.$': '$$.Map.Item.Index', 'value.$': '$$.Map.Item.Value', 'own.$': '$.own' }, End: true } },
      });

      const output = await machine.run({ own: 1 }, { context: { Map: { Item: { Index: 4, Value: { v: 'x' } } } } }).result;

      expect(output).toEqual({ index: 4, value: { v: 'x' }, own: 1 });
    });

    it('builds each child input with $$.Map.Item.Index, $$.Map.Item.Value, the effective input and $$.Execution', async () => {
      const inputs: unknown[] = [];
      const definition = mapMachine({
        InputPath: '$.job',
        ItemsPath: '$.items',
        ItemSelector: { 'index.$': '$$.Map.Item.Index', 'value.$': '$$.Map.Item.Value', 'run.$': '$.run', 'parent.$': '$$.Execution.Name', fixed: 'x' },
      });

      const result = await run(definition, {
        input: { job: { run: 'r1', items: ['a', 'b'] } },
        handlers: {
          work: async (event) => {
            inputs.push(event);
            return (event as { index: number }).index;
          },
        },
      });

      expect(outputOf(result)).toEqual([0, 1]);
      expect(inputs).toEqual([
        { index: 0, value: 'a', run: 'r1', parent: 'parent', fixed: 'x' },
        { index: 1, value: 'b', run: 'r1', parent: 'parent', fixed: 'x' },
      ]);
    });

    it('takes the legacy Parameters as the ItemSelector', async () => {
      const result = await run(mapMachine({ ItemsPath: '$.items', Parameters: { 'i.$': '$$.Map.Item.Index' } }), { input: { items: ['a', 'b'] } });

      expect(outputOf(result)).toEqual([{ i: 0 }, { i: 1 }]);
    });

    it('fails the Map with States.Runtime, naming the item, when the ItemSelector path is missing', async () => {
      const result = await run(mapMachine({ ItemsPath: '$.items', ItemSelector: { 'x.$': '$.missing' } }), { input: { items: [1] } });

      expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime', failedState: 'Each' });
      expect(result.status === 'FAILED' && result.cause).toContain('The ItemSelector of Distributed Map Each failed on item 0: ');
    });
  });

  describe('child executions', () => {
    it('names each child with a UUID under <stateMachine>/<Map> and passes retryIntervalMs on', async () => {
      const names: string[] = [];
      let attempts = 0;
      const processor = distributed({
        Work: { ...WORK, Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 30, MaxAttempts: 1 }], Parameters: { 'id.$': '$$.Execution.Id' } },
      });
      const failOnce: LocalHandler = async (event) => {
        attempts += 1;
        if (attempts === 1) throw Object.assign(new Error('once'), { name: 'Flaky' });
        names.push((event as { id: string }).id);
        return null;
      };

      const result = await run(mapMachine({ ItemsPath: '$.items' }, processor), { input: { items: [1] }, handlers: { work: failOnce }, stateMachineName: 'sm' });

      expect(result.status).toBe('SUCCEEDED');
      expect(names).toEqual([expect.stringMatching(new RegExp(`^arn:aws:states:local:000000000000:execution:sm/Each:${UUID}$`))]);
    });

    it('runs a Distributed Map inside a child as the children of that child, counted in the parent stats', async () => {
      const inner: AslState = { Type: 'Map', ItemsPath: '$.inner', ItemProcessor: distributed({ Work: { ...WORK, Parameters: { 'id.$': '$$.Execution.Id' } } }), End: true };
      const definition = mapMachine({ ItemsPath: '$.outer' }, distributed({ Inner: inner }, 'Inner'));

      const result = await run(definition, { input: { outer: [{ inner: [1, 2] }, { inner: [3] }] }, stateMachineName: 'sm' });

      const output = outputOf(result) as { id: string }[][];
      expect(output.map((ids) => ids.length)).toEqual([2, 1]);
      expect(output[0]?.[0]?.id).toMatch(new RegExp(`^arn:aws:states:local:000000000000:execution:sm/Each/Inner:${UUID}$`));
      expect(result.stats).toMatchObject({ child_executions: 2 + 3, largest_child_history: 1 + 6 + 1 });
    });

    it('gives the children the handlers childHandlers returns for the item count', async () => {
      const counts: number[] = [];
      const result = await runLocally({
        definition: mapMachine({ ItemsPath: '$.items' }),
        handlers: {},
        childHandlers: (itemCount) => {
          counts.push(itemCount);
          return { work: async () => 'from child handlers' };
        },
        input: { items: [1, 2, 3] },
        executionName: 'x',
      });

      expect(outputOf(result)).toEqual(['from child handlers', 'from child handlers', 'from child handlers']);
      expect(counts).toEqual([3]);
    });

    it('rejects, as for its own Tasks, when a child has no handler for its function', async () => {
      await expect(
        runLocally({
          definition: mapMachine({ ItemsPath: '$.items' }),
          handlers: {},
          childHandlers: () => ({}),
          input: { items: [1] },
          executionName: 'x',
        }),
      ).rejects.toThrow('local-runner: no handler for function work (Task Work)');
      await expect(runLocally({ definition: mapMachine({ ItemsPath: '$.items' }), handlers: {}, input: { items: [1] }, executionName: 'x' })).rejects.toThrow(
        'local-runner: no handler for function work (Task Work)',
      );
    });

    it.each([
      ['MaxConcurrency', { MaxConcurrency: 2 }, {}, 2],
      ['MaxConcurrencyPath', { MaxConcurrencyPath: '$.limit' }, { limit: 3 }, 3],
      ['no limit', {}, {}, 7],
    ])('runs at most as many children at once as %s allows', async (_label, fields, input, expected) => {
      let running = 0;
      let most = 0;
      const slow: LocalHandler = async (event) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        running -= 1;
        return event;
      };

      const result = await run(mapMachine({ ItemsPath: '$.items', ...fields }), { input: { ...input, items: [1, 2, 3, 4, 5, 6, 7] }, handlers: { work: slow } });

      expect(outputOf(result)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(most).toBe(expected);
    });

    it('stops its children when the parent is aborted: no new child starts and the running ones are aborted', async () => {
      const stop = new AbortController();
      const objects = new MemoryObjects();
      let calls = 0;
      const entered: string[] = [];
      const hang: LocalHandler = () => {
        calls += 1;
        if (calls === 2) setTimeout(() => stop.abort(), 20);
        return new Promise(() => undefined);
      };
      const definition = mapMachine({
        ItemsPath: '$.items',
        MaxConcurrency: 2,
        ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'out', Prefix: 'runs' } },
      });

      const result = await run(definition, {
        input: { items: [1, 2, 3, 4, 5] },
        handlers: { work: hang },
        objects,
        signal: stop.signal,
        onStateEntered: (event) => entered.push(event.name),
      });

      expect(result).toMatchObject({ status: 'ABORTED', state: 'Each', stats: { child_executions: 2 } });
      expect(calls).toBe(2);
      expect(entered).not.toContain('Done');
      expect(objects.bodies.size).toBe(0);
    });
  });

  describe('tolerated failures', () => {
    class ChildFailure extends Error {
      override readonly name = 'ChildFailure';
    }
    const failOn =
      (...bad: number[]): LocalHandler =>
      async (event) => {
        if (bad.includes(event as number)) throw new ChildFailure(`item ${String(event)} is bad`);
        return event;
      };
    const writer = { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'out', Prefix: 'runs' } };

    it('fails with States.ExceedToleratedFailureThreshold on one failed child at ToleratedFailurePercentage 0, caught, with the results written', async () => {
      const objects = new MemoryObjects();
      const calls: unknown[] = [];
      const definition = mapMachine({
        ItemsPath: '$.items',
        MaxConcurrency: 1,
        ToleratedFailurePercentage: 0,
        ResultWriter: writer,
        Catch: [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'], ResultPath: '$.error', Next: 'Done' }],
      });

      const result = await run(definition, {
        input: { items: [1, 2, 3] },
        objects,
        handlers: {
          work: async (event) => {
            calls.push(event);
            return failOn(2)(event, {} as never);
          },
        },
      });

      expect(outputOf(result)).toEqual({
        items: [1, 2, 3],
        error: { Error: 'States.ExceedToleratedFailureThreshold', Cause: 'The specified tolerated failure threshold was exceeded' },
      });
      // Item 3 never started: the threshold was exceeded once item 2 failed.
      expect(calls).toEqual([1, 2]);
      const [manifestKey] = [...objects.bodies.keys()].filter((key) => key.endsWith('manifest.json'));
      const manifest = objects.json('out', (manifestKey ?? '').replace(/^out\//, '')) as { ResultFiles: Record<string, { Key: string }[]> };
      const failed = objects.json('out', manifest.ResultFiles['FAILED']?.[0]?.Key ?? '') as Record<string, unknown>[];
      expect(failed).toEqual([expect.objectContaining({ Status: 'FAILED', Input: '2', Error: 'ChildFailure' })]);
      expect(JSON.parse(failed[0]?.['Cause'] as string)).toMatchObject({ errorType: 'ChildFailure', errorMessage: 'item 2 is bad' });
      expect(manifest.ResultFiles['SUCCEEDED']).toHaveLength(1);
    });

    it('succeeds at ToleratedFailurePercentage 50 with 1 of 4 children failed; the failed entry stands in its output', async () => {
      const result = await run(mapMachine({ ItemsPath: '$.items', ToleratedFailurePercentage: 50 }), {
        input: { items: [1, 2, 3, 4] },
        handlers: { work: failOn(3) },
      });

      const output = outputOf(result) as unknown[];
      expect(output.filter((item) => typeof item === 'number')).toEqual([1, 2, 4]);
      expect(output[2]).toMatchObject({ Status: 'FAILED', Error: 'ChildFailure', Input: '3' });
    });

    it('fails beyond ToleratedFailureCountPath, not up to it', async () => {
      const definition = mapMachine({ ItemsPath: '$.items', ToleratedFailureCountPath: '$.tolerated' });

      const tolerated = await run(definition, { input: { items: [1, 2, 3], tolerated: 2 }, handlers: { work: failOn(1, 2) } });
      const exceeded = await run(definition, { input: { items: [1, 2, 3], tolerated: 1 }, handlers: { work: failOn(1, 2) } });

      expect(tolerated.status).toBe('SUCCEEDED');
      expect(exceeded).toMatchObject({
        status: 'FAILED',
        error: 'States.ExceedToleratedFailureThreshold',
        cause: 'The specified tolerated failure threshold was exceeded',
        failedState: 'Each',
      });
    });

    it('tolerates no failure without any tolerance', async () => {
      const result = await run(mapMachine({ ItemsPath: '$.items' }), { input: { items: [1, 2] }, handlers: { work: failOn(1) } });

      expect(result).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    });
  });

  describe('ResultWriter', () => {
    it('writes SUCCEEDED_0.json and FAILED_0.json in item order, then the manifest, and returns where', async () => {
      const objects = new MemoryObjects();
      const definition = mapMachine({
        ItemsPath: '$.items',
        ItemSelector: { 'n.$': '$$.Map.Item.Value' },
        ToleratedFailureCount: 1,
        ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'out', 'Prefix.$': '$.prefix' } },
        ResultPath: '$.written',
      });
      const handler: LocalHandler = async (event) => {
        const { n } = event as { n: number };
        if (n === 2) throw new RangeError('two');
        return { n, é: 'ü' };
      };

      const result = await run(definition, {
        input: { prefix: 'work/runs', items: [1, 2, 3] },
        handlers: { work: handler },
        stateMachineName: 'sm',
        objects,
      });

      const { written } = outputOf(result) as { written: { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } } };
      const runId = new RegExp(`^arn:aws:states:local:000000000000:mapRun:sm/Each:(${UUID})$`).exec(written.MapRunArn)?.[1];
      expect(runId).toBeDefined();
      const folder = `work/runs/${runId}`;
      expect(written.ResultWriterDetails).toEqual({ Bucket: 'out', Key: `${folder}/manifest.json` });
      expect([...objects.bodies.keys()]).toEqual([`out/${folder}/SUCCEEDED_0.json`, `out/${folder}/FAILED_0.json`, `out/${folder}/manifest.json`]);
      const size = (key: string) => Buffer.byteLength(objects.bodies.get(`out/${key}`) ?? '', 'utf8');
      expect(objects.json('out', `${folder}/manifest.json`)).toEqual({
        DestinationBucket: 'out',
        MapRunArn: written.MapRunArn,
        ResultFiles: {
          FAILED: [{ Key: `${folder}/FAILED_0.json`, Size: size(`${folder}/FAILED_0.json`) }],
          PENDING: [],
          SUCCEEDED: [{ Key: `${folder}/SUCCEEDED_0.json`, Size: size(`${folder}/SUCCEEDED_0.json`) }],
        },
      });
      const childArn = expect.stringMatching(new RegExp(`^arn:aws:states:local:000000000000:execution:sm/Each:${UUID}$`));
      const common = {
        ExecutionArn: childArn,
        InputDetails: { Included: true },
        Name: expect.stringMatching(new RegExp(`^${UUID}$`)),
        RedriveCount: 0,
        RedriveStatus: 'NOT_REDRIVABLE',
        StartDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        StateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:sm/Each',
        StopDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      };
      const succeeded = objects.json('out', `${folder}/SUCCEEDED_0.json`) as Record<string, unknown>[];
      expect(succeeded).toEqual([
        { ...common, Input: '{"n":1}', Output: '{"n":1,"é":"ü"}', OutputDetails: { Included: true }, Status: 'SUCCEEDED' },
        { ...common, Input: '{"n":3}', Output: '{"n":3,"é":"ü"}', OutputDetails: { Included: true }, Status: 'SUCCEEDED' },
      ]);
      expect(succeeded[0]?.['ExecutionArn']).toBe(`arn:aws:states:local:000000000000:execution:sm/Each:${String(succeeded[0]?.['Name'])}`);
      const failed = objects.json('out', `${folder}/FAILED_0.json`) as Record<string, unknown>[];
      expect(failed).toEqual([{ ...common, Input: '{"n":2}', Status: 'FAILED', Error: 'RangeError', Cause: expect.any(String) }]);
      expect(JSON.parse(failed[0]?.['Cause'] as string)).toMatchObject({ errorType: 'RangeError', errorMessage: 'two' });
    });

    it.each([
      ['', ''],
      ['runs/', 'runs/'],
    ])('puts the map run folder under Prefix %j without a leading or double slash', async (prefix, start) => {
      const objects = new MemoryObjects();
      const definition = mapMachine({
        ItemsPath: '$.items',
        ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'out', Prefix: prefix } },
      });

      const result = await run(definition, { input: { items: ['only'] }, objects });

      const { ResultWriterDetails } = outputOf(result) as { ResultWriterDetails: { Key: string } };
      expect(ResultWriterDetails.Key).toMatch(new RegExp(`^${start}${UUID}/manifest\\.json$`));
      expect([...objects.bodies.keys()]).toEqual([expect.stringMatching(new RegExp(`^out/${start}${UUID}/SUCCEEDED_0\\.json$`)), `out/${ResultWriterDetails.Key}`]);
    });
  });
});
