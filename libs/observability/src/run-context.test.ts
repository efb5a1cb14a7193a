import flatInput from '../tests/fixtures/state-input-flat.json';
import sqsEvent from '../tests/fixtures/sqs-event.json';
import stateInput from '../tests/fixtures/state-input.json';
import { readRunIds } from './run-context';

describe('readRunIds', () => {
  it('reads the run ids from event.run', () => {
    expect(readRunIds(stateInput)).toEqual({
      run_id: stateInput.run.run_id,
      execution_arn: stateInput.run.execution_arn,
      source_file_id: stateInput.run.source_file_id,
    });
  });

  it('reads the run ids from the top level when a state passes them flat', () => {
    expect(readRunIds(flatInput)).toEqual({
      run_id: flatInput.run_id,
      execution_arn: flatInput.execution_arn,
      source_file_id: flatInput.source_file_id,
    });
  });

  it('prefers event.run and fills a key it lacks from the top level', () => {
    const event = { run: { run_id: 'r-nested' }, run_id: 'r-flat', execution_arn: 'arn:flat' };

    expect(readRunIds(event)).toEqual({ run_id: 'r-nested', execution_arn: 'arn:flat' });
  });

  it('takes source_file_id from enrichment\'s result once the state carries it', () => {
    const event = {
      run: { run_id: 'r-1', execution_arn: 'arn:1' },
      enrichment: { source_file_id: 's3://bronze/a.csv#etag', run_id: 'ignored' },
    };

    expect(readRunIds(event)).toEqual({ run_id: 'r-1', execution_arn: 'arn:1', source_file_id: 's3://bronze/a.csv#etag' });
  });

  it('leaves out keys that are empty or not strings', () => {
    const event = { run: { run_id: 'r-1', execution_arn: '', source_file_id: 42 } };

    expect(readRunIds(event)).toEqual({ run_id: 'r-1' });
  });

  it.each([
    ['an SQS event', sqsEvent],
    ['null', null],
    ['a string', 'run_id'],
    ['a run that is not an object', { run: 'r-1' }],
  ])('gives no run context for %s', (_case, event) => {
    expect(readRunIds(event)).toEqual({});
  });
});
