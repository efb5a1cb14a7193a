import { captureSink } from './capture-sink';

const LOG = '{"level":"INFO","message":"partition written","run_id":"r-1"}';
const EMF = '{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]},"run_id":"r-1","InputRows":3}';

describe('captureSink', () => {
  it('collects the lines written to its sink, in order', () => {
    const captured = captureSink();

    captured.sink(LOG);
    captured.sink(EMF);

    expect(captured.lines).toEqual([LOG, EMF]);
  });

  it('parses the lines and splits log items from EMF records', () => {
    const captured = captureSink();
    captured.sink(LOG);
    captured.sink(EMF);

    expect(captured.records()).toHaveLength(2);
    expect(captured.logs()).toEqual([{ level: 'INFO', message: 'partition written', run_id: 'r-1' }]);
    expect(captured.metrics()).toEqual([expect.objectContaining({ InputRows: 3, run_id: 'r-1' })]);
  });

  it('names the line that is not a JSON object', () => {
    const captured = captureSink();
    captured.sink(LOG);
    captured.sink('plain text');
    captured.sink('[1]');

    expect(() => captured.records()).toThrow('testing: sink line 2 is not JSON: plain text');
    captured.clear();
    captured.sink('[1]');
    expect(() => captured.records()).toThrow('testing: sink line 1 is not a JSON object: [1]');
  });

  it('forgets everything on clear()', () => {
    const captured = captureSink();
    captured.sink(LOG);

    captured.clear();

    expect(captured.lines).toEqual([]);
    expect(captured.records()).toEqual([]);
  });
});
