import { createObservability, recordRunMetrics, withObservability } from '@ledgerlake/observability';
import { join } from 'node:path';
import { captureSink, fakeLambdaContext, loadFixture } from '../../src';

const FIXTURES = join(__dirname, '..', 'fixtures');

describe('the helpers with a real middy chain', () => {
  it('capture every line a handler emits, each carrying the run ids of the fixture event', async () => {
    const captured = captureSink();
    const obs = createObservability({ serviceName: 'silver-writer', dataset: 'mortgages/transactions', sink: captured.sink });
    const handler = withObservability(async () => {
      obs.logger.info('partition written', { rows: 3 });
      recordRunMetrics(obs.metrics, { input_rows: 3, valid_rows: 3 });
      return { ok: true };
    }, obs);
    const event = loadFixture<{ run: { run_id: string; execution_arn: string; source_file_id: string } }>(
      FIXTURES,
      'state-input',
    );

    await handler(event, fakeLambdaContext({ functionName: 'ledgerlake-dev-silver-writer' }));

    expect(captured.logs()).toEqual([
      expect.objectContaining({
        message: 'partition written',
        function_name: 'ledgerlake-dev-silver-writer',
        run_id: event.run.run_id,
        execution_arn: event.run.execution_arn,
        source_file_id: event.run.source_file_id,
      }),
    ]);
    expect(captured.metrics()).toEqual([
      expect.objectContaining({ InputRows: 3, ValidRows: 3, run_id: event.run.run_id }),
    ]);
  });
});
