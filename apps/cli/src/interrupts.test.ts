import { EventEmitter } from 'node:events';
import { exitCodeOf, listenForInterrupts, type SignalSource } from './interrupts';

/** A stand-in for `process`: signals are emitted by the test, exits are recorded. */
function fakeProcess(): SignalSource & EventEmitter & { exits: number[] } {
  const emitter = new EventEmitter() as EventEmitter & { exits: number[]; exit(code: number): void };
  emitter.exits = [];
  emitter.exit = (code: number) => void emitter.exits.push(code);
  return emitter;
}

describe('listenForInterrupts', () => {
  it('aborts on the first signal, naming it, and exits at once on the second', () => {
    const source = fakeProcess();
    const announced: string[] = [];
    const interrupts = listenForInterrupts(source, (signal) => announced.push(signal));

    source.emit('SIGTERM');

    expect(interrupts.signal.aborted).toBe(true);
    expect(interrupts.signal.reason).toBe('SIGTERM');
    expect(announced).toEqual(['SIGTERM']);
    expect(source.exits).toEqual([]);

    source.emit('SIGINT');

    expect(source.exits).toEqual([130]);
    expect(announced).toEqual(['SIGTERM']);
  });

  it("exits with the second signal's own code", () => {
    const source = fakeProcess();
    listenForInterrupts(source, () => undefined);

    source.emit('SIGINT');
    source.emit('SIGTERM');

    expect(source.exits).toEqual([143]);
  });

  it('stops listening once disposed', () => {
    const source = fakeProcess();
    const interrupts = listenForInterrupts(source, () => undefined);

    interrupts.dispose();

    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0);
  });

  it('maps SIGINT to 130 and SIGTERM to 143', () => {
    expect([exitCodeOf('SIGINT'), exitCodeOf('SIGTERM')]).toEqual([130, 143]);
  });
});
