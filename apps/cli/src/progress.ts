import type { CliOutput } from './main';

/** Live progress of one file on a terminal. */
export interface Progress {
  /** The execution entered this state. */
  state(name: string): void;
  /** Clears the progress line. */
  stop(): void;
}

const REFRESH_MS = 100;

/** One self-rewriting stderr line, `<file>  <state>  <elapsed>`, refreshed every 100 ms. */
export function startProgress(stderr: CliOutput, file: string): Progress {
  const started = performance.now();
  let current = 'Starting';
  const draw = (): void => {
    const elapsed = ((performance.now() - started) / 1000).toFixed(1);
    stderr.write(`\r\x1b[2K${file}  ${current}  ${elapsed} s`);
  };
  draw();
  const timer = setInterval(draw, REFRESH_MS);
  timer.unref();
  return {
    state(name) {
      current = name;
      draw();
    },
    stop() {
      clearInterval(timer);
      stderr.write('\r\x1b[2K');
    },
  };
}
