import {
  CircuitBreakerOpenError,
  ConfigError,
  ERROR_CLASSES,
  ERROR_NAMES,
  type ErrorName,
  InternalError,
  InvalidEventError,
  InvalidInputError,
  LakeStateError,
  type LedgerLakeError,
  MissingColumnsError,
  ObjectConflictError,
  PromotionError,
  RunBlockedError,
  RunbookRefusedError,
  UnknownDatasetError,
  StorageError,
  TransientStorageError,
} from '@ledgerlake/domain';
import aslValidator from 'asl-validator';
import { type AslDefinition, type AslState, fillPlaceholders, loadDefinition, rawDefinition, statesBeforeLastMap, taskFunctions } from './definition';
import { itemSelectorDefinition, replaceDistributedMaps } from './distributed-map';

const PARAMS = { region: 'eu-west-1', accountId: '123456789012', stage: 'dev' };
const LAMBDA_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  // In AWS's recommended Lambda retrier set: the invoke itself timed out (the function may not have run).
  'Lambda.ClientExecutionTimeoutException',
];

/** One instance of every registered error; typed by name, so a new error class fails typecheck until it is added here. */
const SAMPLE_ERRORS: Record<ErrorName, () => LedgerLakeError> = {
  TransientStorageError: () => new TransientStorageError('storage: throttled'),
  StorageError: () => new StorageError('storage: denied'),
  ObjectConflictError: () => new ObjectConflictError('b', 'k', 'exists'),
  ConfigError: () => new ConfigError('config: bad', []),
  MissingColumnsError: () => new MissingColumnsError('f.csv', ['id'], []),
  InvalidInputError: () => new InvalidInputError('f.csv', 'is empty'),
  CircuitBreakerOpenError: () => new CircuitBreakerOpenError('TYPE_ERROR', 1, 1, 60),
  InvalidEventError: () => new InvalidEventError('ValidatePart', ['part: Required']),
  LakeStateError: () => new LakeStateError('pipeline: the work file is missing'),
  InternalError: () => new InternalError('parquet: writer failed earlier; abort it'),
  PromotionError: () => new PromotionError('promotion: run r has no manifest'),
  RunBlockedError: () => new RunBlockedError('20240105T090000Z-abcdef', ['quarantine rate']),
  RunbookRefusedError: () => new RunbookRefusedError('already decided'),
  UnknownDatasetError: () => new UnknownDatasetError('cards/payments', ['mortgages/transactions']),
};

function allStates(definition: AslDefinition): [string, AslState][] {
  const found: [string, AslState][] = [];
  const visit = (states: Readonly<Record<string, AslState>>): void => {
    for (const [name, state] of Object.entries(states)) {
      found.push([name, state]);
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) visit(processor.States);
      for (const branch of state.Branches ?? []) visit(branch.States);
    }
  };
  visit(definition.States);
  return found;
}

const tasks = (definition: AslDefinition) => allStates(definition).filter(([, state]) => state.Type === 'Task');

describe('row-pipeline definition', () => {
  it('is valid ASL as stored, placeholders included, but for the partition (asl-validator wants a literal one in a Resource)', () => {
    const result = aslValidator(JSON.parse(JSON.stringify(rawDefinition()).replaceAll('#{AWS::Partition}', 'aws')) as AslDefinition);
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('names no partition literally: every ARN is built on #{AWS::Partition}, filled as given (aws by default)', () => {
    const text = JSON.stringify(rawDefinition());

    expect(text.match(/arn:aws[a-z-]*:[^"]*/g) ?? []).toEqual([]);
    expect(JSON.stringify(loadDefinition(PARAMS))).not.toContain('#{');
    expect(JSON.stringify(loadDefinition({ ...PARAMS, partition: 'aws-cn' }))).toContain('arn:aws-cn:lambda:eu-west-1:123456789012:function:ledgerlake-dev-enrichment');
    expect(() => loadDefinition({ ...PARAMS, partition: 'Amazon' })).toThrow(RangeError);
  });

  it('is valid ASL with its placeholders filled', () => {
    const result = aslValidator(loadDefinition(PARAMS));
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('is valid ASL as the local runner runs it (which validates nothing itself): the emulated definition, each Map processor and item selector', () => {
    const emulated = replaceDistributedMaps(loadDefinition(PARAMS));
    const maps = allStates(loadDefinition(PARAMS)).filter(([, state]) => state.Type === 'Map');
    const definitions: [string, AslDefinition][] = [
      ['emulated definition', emulated.definition],
      ...maps.map(([name, state]): [string, AslDefinition] => [`${name} processor`, { StartAt: state.ItemProcessor?.StartAt ?? '', States: state.ItemProcessor?.States ?? {} } as AslDefinition]),
      ...maps
        .filter(([, state]) => (state['ItemSelector'] ?? state['Parameters']) !== undefined)
        .map(([name, state]): [string, AslDefinition] => [`${name} item selector`, itemSelectorDefinition(state['ItemSelector'] ?? state['Parameters'])]),
    ];

    expect(emulated.distributedMaps.size).toBeGreaterThan(0);
    expect(maps.length).toBeGreaterThan(0);
    for (const [what, definition] of definitions) expect([what, aslValidator(definition).errorsText()]).toEqual([what, '']);
  });

  it('names in ErrorEquals only domain errors, States.* and Lambda.* errors', () => {
    const names = allStates(rawDefinition()).flatMap(([, state]) =>
      [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((entry) => entry.ErrorEquals),
    );
    const ours = names.filter((name) => !name.startsWith('States.') && !name.startsWith('Lambda.'));

    expect(ours.length).toBeGreaterThan(0);
    expect(ours.filter((name) => !(ERROR_NAMES as readonly string[]).includes(name))).toEqual([]);
  });

  it('has a sample of every registered error class, whose errors carry the name it is registered under', () => {
    for (const [name, make] of Object.entries(SAMPLE_ERRORS)) {
      const error = make();
      expect([name, error.name, error.constructor]).toEqual([name, name, ERROR_CLASSES[name as ErrorName]]);
    }
    expect(Object.keys(SAMPLE_ERRORS).sort()).toEqual([...ERROR_NAMES].sort());
  });

  it('retries every retryable domain error and the Lambda service errors in every Task, 3 times with backoff 2 and full jitter', () => {
    const retryable = Object.values(SAMPLE_ERRORS)
      .map((make) => make())
      .filter((error) => error.retryable)
      .map((error) => error.name);
    expect(retryable).toContain('TransientStorageError');

    for (const [name, state] of tasks(rawDefinition())) {
      for (const error of [...retryable, ...LAMBDA_ERRORS]) {
        const retrier = state.Retry?.find((entry) => entry.ErrorEquals.includes(error));
        expect({ state: name, error, retrier: retrier && { ...retrier, ErrorEquals: undefined } }).toEqual({
          state: name,
          error,
          retrier: { ErrorEquals: undefined, MaxAttempts: 3, BackoffRate: 2, IntervalSeconds: 2, JitterStrategy: 'FULL' },
        });
      }
    }
  });

  it('never retries a non-retryable domain error (nor States.ALL)', () => {
    const notRetryable = Object.values(SAMPLE_ERRORS)
      .map((make) => make())
      .filter((error) => !error.retryable)
      .map((error) => error.name);
    const retried = tasks(rawDefinition()).flatMap(([, state]) => (state.Retry ?? []).flatMap((entry) => entry.ErrorEquals));

    expect(retried.filter((name) => [...notRetryable, 'States.ALL', 'States.TaskFailed'].includes(name))).toEqual([]);
  });

  it('catches every error of every top-level Task and Map into $.error and the failure path; a begun promotion rolls forward first', () => {
    const top = Object.entries(rawDefinition().States).filter(
      ([name, state]) => (state.Type === 'Task' || state.Type === 'Map') && !['RecordFailure', 'RollForward', 'ReportRun'].includes(name),
    );
    const promoting = new Set(['Promote', 'RefreshGold']);

    expect(top.map(([name]) => name)).toEqual([
      'RecoverPromotions',
      'PlanChunks',
      'EnrichChunks',
      'CombineChunks',
      'PreventLoops',
      'ProcessParts',
      'CheckBreaker',
      'FinishRun',
      'EvaluateGate',
      'Promote',
      'RefreshGold',
      'RecordBlocked',
      'RecordDryRun',
    ]);
    for (const [name, state] of top) {
      const next = promoting.has(name) ? 'RollForward' : 'RecordFailure';
      expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: next }]);
    }
    // The roll-forward keeps the original error: its own goes elsewhere, and the run is still recorded.
    expect(rawDefinition().States['RollForward']?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.roll_forward_error', Next: 'RecordFailure' },
    ]);
    expect(rawDefinition().States['IsRolledForward']).toEqual(
      expect.objectContaining({
        Type: 'Choice',
        Choices: [{ Variable: '$.rolled_forward.status', StringEquals: 'PUBLISHED', Next: 'ReportRun' }],
        Default: 'RecordFailure',
      }),
    );
  });

  it('runs the chunks and the parts in Distributed Maps over manifests in the work area, whose Tasks retry but leave catching to their Map', () => {
    const maps = Object.fromEntries(
      Object.entries(rawDefinition().States)
        .filter(([, state]) => state.Type === 'Map')
        .map(([name, state]) => [
          name,
          {
            processor: (state.ItemProcessor as Record<string, unknown> | undefined)?.['ProcessorConfig'],
            reader: state['ItemReader'],
            writer: state['ResultWriter'],
            concurrency: state['MaxConcurrencyPath'],
            tolerated: state['ToleratedFailurePercentage'],
            tasks: Object.keys(state.ItemProcessor?.States ?? {}),
          },
        ]),
    );
    const reader = (manifest: string) => ({
      Resource: 'arn:#{AWS::Partition}:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { 'Bucket.$': `${manifest}.bucket`, 'Key.$': `${manifest}.key` },
    });
    const writer = (results: string) => ({
      Resource: 'arn:#{AWS::Partition}:states:::s3:putObject',
      Parameters: { 'Bucket.$': `${results}.bucket`, 'Prefix.$': `${results}.prefix` },
    });
    const common = { processor: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, concurrency: '$.plan.map_concurrency', tolerated: 0 };

    expect(maps).toEqual({
      EnrichChunks: { ...common, reader: reader('$.plan.chunk_manifest'), writer: writer('$.plan.chunk_results'), tasks: ['EnrichChunk'] },
      ProcessParts: {
        ...common,
        reader: reader('$.enrichment.part_manifest'),
        writer: writer('$.enrichment.part_results'),
        tasks: ['ValidatePart', 'WritePart'],
      },
    });
    for (const [name, state] of tasks(rawDefinition())) {
      if (['EnrichChunk', 'ValidatePart', 'WritePart'].includes(name)) {
        expect(state.Catch).toBeUndefined();
        expect(state.Retry?.[0]?.ErrorEquals).toContain('TransientStorageError');
      }
    }
  });

  it('hands each Map child only its item and the run sections of constant size, never a list', () => {
    const selectors = Object.fromEntries(
      Object.entries(rawDefinition().States)
        .filter(([, state]) => state.Type === 'Map')
        .map(([name, state]) => [name, state['ItemSelector']]),
    );

    expect(selectors).toEqual({
      EnrichChunks: { action: 'enrich-chunk', 'run.$': '$.run', 'plan.$': '$.plan', 'chunk.$': '$$.Map.Item.Value' },
      ProcessParts: { 'run.$': '$.run', 'enrichment.$': '$.enrichment', 'loop_prevention.$': '$.loop_prevention', 'part.$': '$$.Map.Item.Value' },
    });
  });

  it('ends every path with ReportRun, whose failure is caught, then ends as the state says (RunEnded)', () => {
    const states = rawDefinition().States;
    const report = states['ReportRun'] as unknown as Record<string, unknown>;
    const into = Object.entries(states).flatMap(([name, state]) => {
      const s = state as unknown as { Next?: string; Choices?: { Next: string }[]; Catch?: { Next: string }[] };
      return [s.Next, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)].filter((next) => next === 'ReportRun').map(() => name);
    });
    const terminals = Object.entries(states).filter(([, state]) => state.Type === 'Succeed' || state.Type === 'Fail').map(([name]) => name);
    const reachedBy = (terminal: string) =>
      Object.entries(states).filter(([, state]) => {
        const s = state as unknown as { Next?: string; Default?: string; Choices?: { Next: string }[]; Catch?: { Next: string }[] };
        return [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)].includes(terminal);
      }).map(([name]) => name);

    // Every way out of the run passes ReportRun first; only RunEnded leads to a terminal state.
    expect(new Set(into)).toEqual(new Set(['IsDuplicateFile', 'RefreshGold', 'IsRolledForward', 'RecordBlocked', 'RecordDryRun', 'RecordFailure']));
    for (const terminal of terminals) expect([terminal, reachedBy(terminal)]).toEqual([terminal, ['RunEnded']]);
    expect(report).toMatchObject({ Parameters: { action: 'report', 'run.$': '$.run', 'state.$': '$' }, ResultPath: null, Next: 'RunEnded' });
    expect(report['Catch']).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.report_error', Next: 'RunEnded' }]);
  });

  it('sends each promotion Task its action and only the sections it reads', () => {
    const parameters = Object.fromEntries(
      tasks(rawDefinition())
        .filter(([, state]) => String(state.Resource).endsWith('-promotion'))
        .map(([name, state]) => [name, state['Parameters']]),
    );

    expect(parameters).toEqual({
      // The source file's id travels along only for the log lines (docs/contract/alerts.md): every state after enrichment has it.
      EvaluateGate: { action: 'evaluate-gate', 'run.$': '$.run', 'source_file_id.$': '$.enrichment.source_file_id' },
      Promote: { action: 'promote', 'run.$': '$.run', 'source_file_id.$': '$.enrichment.source_file_id' },
      RefreshGold: { action: 'refresh-gold', 'run.$': '$.run', 'source_file_id.$': '$.enrichment.source_file_id' },
      RecordBlocked: { action: 'record-blocked', 'run.$': '$.run', 'gate.$': '$.gate', 'source_file_id.$': '$.enrichment.source_file_id' },
      RecordDryRun: { action: 'record-dry-run', 'run.$': '$.run', 'gate.$': '$.gate', 'source_file_id.$': '$.enrichment.source_file_id' },
      RecoverPromotions: { action: 'recover', 'run.$': '$.run' },
      RollForward: { action: 'roll-forward', 'run.$': '$.run', 'source_file_id.$': '$.enrichment.source_file_id' },
    });
  });

  it('promotes only what the gate passes (anything but PROMOTE takes the blocked path), and never a dry run', () => {
    expect(rawDefinition().States['IsPromotable']).toEqual(
      expect.objectContaining({
        Type: 'Choice',
        Choices: [
          {
            And: [
              { Variable: '$.run.dry_run', IsPresent: true },
              { Variable: '$.run.dry_run', BooleanEquals: true },
            ],
            Next: 'RecordDryRun',
          },
          { Variable: '$.gate.decision', StringEquals: 'PROMOTE', Next: 'Promote' },
        ],
        Default: 'RecordBlocked',
      }),
    );
  });

  it('fails the run with the error name and cause RecordFailure resolved (the failed Map child\'s own), or the one caught', () => {
    expect(rawDefinition().States['RunFailed']).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.error.Error',
      CausePath: '$.error.Cause',
    });
  });
});

describe('loadDefinition', () => {
  it('fills region, account and stage into every Lambda ARN', () => {
    const resources = tasks(loadDefinition(PARAMS)).map(([, state]) => state.Resource);

    expect(resources).toContain('arn:aws:lambda:eu-west-1:123456789012:function:ledgerlake-dev-enrichment');
    expect(JSON.stringify(loadDefinition(PARAMS))).not.toContain('#{');
  });

  it('rejects an unknown placeholder', () => {
    const definition = { StartAt: 'A', States: { A: { Type: 'Pass', Comment: '#{Nope}', End: true } } };

    expect(() => fillPlaceholders(definition, PARAMS)).toThrow('unknown placeholder #{Nope}');
  });

  it('rejects a malformed account id or stage', () => {
    expect(() => loadDefinition({ ...PARAMS, accountId: '123' })).toThrow('accountId "123" must be 12 digits');
    expect(() => loadDefinition({ ...PARAMS, stage: 'Dev"' })).toThrow('stage "Dev\\"" must match');
  });
});

describe('taskFunctions', () => {
  it('maps every Task state of the row pipeline to its function', () => {
    expect(taskFunctions(loadDefinition(PARAMS))).toEqual({
      RecoverPromotions: 'ledgerlake-dev-promotion',
      RollForward: 'ledgerlake-dev-promotion',
      PlanChunks: 'ledgerlake-dev-enrichment',
      EnrichChunk: 'ledgerlake-dev-enrichment',
      CombineChunks: 'ledgerlake-dev-enrichment',
      PreventLoops: 'ledgerlake-dev-loop-prevention',
      ValidatePart: 'ledgerlake-dev-validation',
      WritePart: 'ledgerlake-dev-partition-writer',
      CheckBreaker: 'ledgerlake-dev-validation',
      FinishRun: 'ledgerlake-dev-partition-writer',
      EvaluateGate: 'ledgerlake-dev-promotion',
      Promote: 'ledgerlake-dev-promotion',
      RefreshGold: 'ledgerlake-dev-promotion',
      RecordBlocked: 'ledgerlake-dev-promotion',
      RecordDryRun: 'ledgerlake-dev-promotion',
      RecordFailure: 'ledgerlake-dev-run-recorder',
      ReportRun: 'ledgerlake-dev-run-recorder',
    });
  });

  it('finds Tasks inside Map item processors and Parallel branches', () => {
    const arn = (fn: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${fn}`;
    const definition: AslDefinition = {
      StartAt: 'Parts',
      States: {
        Parts: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'DoPart', States: { DoPart: { Type: 'Task', Resource: arn('part'), End: true } } },
          Next: 'Both',
        },
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Left', States: { Left: { Type: 'Task', Resource: arn('left'), End: true } } },
            { StartAt: 'Right', States: { Right: { Type: 'Task', Resource: `${arn('right')}:live`, End: true } } },
          ],
          End: true,
        },
      },
    };

    expect(taskFunctions(definition)).toEqual({ DoPart: 'part', Left: 'left', Right: 'right' });
  });

  it('rejects a definition whose placeholders are not filled', () => {
    expect(() => taskFunctions(rawDefinition())).toThrow('Task RecoverPromotions has Resource');
  });

  it('rejects a state name used twice', () => {
    const definition: AslDefinition = {
      StartAt: 'A',
      States: {
        A: { Type: 'Parallel', Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }], End: true },
      },
    };

    expect(() => taskFunctions(definition)).toThrow('state name "A" is used twice');
  });
});

describe('statesBeforeLastMap', () => {
  it('is every state from which a Map can still run: up to ProcessParts, and none from CheckBreaker on or on the failure path', () => {
    const before = statesBeforeLastMap(rawDefinition());

    expect([...before].sort()).toEqual(
      ['BuildRunContext', 'CaptureRunContext', 'CombineChunks', 'EnrichChunks', 'IsDuplicateFile', 'PlanChunks', 'PreventLoops', 'ProcessParts', 'RecoverPromotions'].sort(),
    );
  });

  it('follows Choices, Default and Catch, and stops at loops', () => {
    const states = {
      StartAt: 'A',
      States: {
        A: { Type: 'Choice', Choices: [{ Next: 'B' }], Default: 'C' },
        B: { Type: 'Task', Next: 'A', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'M' }] },
        C: { Type: 'Succeed' },
        M: { Type: 'Map', End: true },
      },
    };
    expect([...statesBeforeLastMap(states)].sort()).toEqual(['A', 'B', 'M']);
  });
});

