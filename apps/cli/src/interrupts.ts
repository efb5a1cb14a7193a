import type { InterruptSignal } from '@ledgerlake/ledgers';
import { EXIT } from './cli-error';

/** The signals that interrupt a command. */
export const INTERRUPT_SIGNALS: readonly InterruptSignal[] = ['SIGINT', 'SIGTERM'];

/** Where the signals come from and how the process ends at once: `process`, or a stand-in in tests. */
export interface SignalSource {
  on(signal: InterruptSignal, listener: () => void): unknown;
  removeListener(signal: InterruptSignal, listener: () => void): unknown;
  exit(code: number): void;
}

/** The exit code of a command stopped by `signal`: 130 for SIGINT, 143 for SIGTERM. */
export function exitCodeOf(signal: InterruptSignal): number {
  return signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
}

/** The signal a command is listening for interrupts on. */
export interface Interrupts {
  /** Aborted by the first SIGINT or SIGTERM; its `reason` is the signal's name. */
  readonly signal: AbortSignal;
  /** Stops listening (the signals' default behaviour is back). */
  dispose(): void;
}

/**
 * Listens for SIGINT and SIGTERM while a command runs. The first one aborts `signal` (the command
 * stops its run and cleans up after it) and is announced to `onFirst`; a second one, of either
 * kind, ends the process at once with its exit code, clean-up or not.
 */
export function listenForInterrupts(source: SignalSource, onFirst: (signal: InterruptSignal) => void): Interrupts {
  const controller = new AbortController();
  const listeners = INTERRUPT_SIGNALS.map((name) => {
    const listener = (): void => {
      if (controller.signal.aborted) {
        source.exit(exitCodeOf(name));
        return;
      }
      controller.abort(name);
      onFirst(name);
    };
    source.on(name, listener);
    return [name, listener] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => listeners.forEach(([name, listener]) => source.removeListener(name, listener)),
  };
}
