import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import { type LineSink, toLineWriter } from './line-sink';

/**
 * The base constructor prints lines it buffered during setup (a sampling notice, an Advanced
 * Logging Controls warning) before this subclass's fields exist: `printLog` finds the sink here
 * while `super()` runs. Constructors are synchronous, so one slot is enough.
 */
let writerUnderConstruction: ((line: string) => void) | undefined;

/** Powertools Logger that can write its lines to a sink instead of stdout. */
export class LedgerLakeLogger extends Logger {
  readonly #sink: LineSink | undefined;
  readonly #write: ((line: string) => void) | undefined;

  constructor(options: ConstructorOptions & { sink?: LineSink } = {}) {
    const { sink, ...rest } = options;
    const write = sink === undefined ? undefined : toLineWriter(sink);
    writerUnderConstruction = write;
    super(rest);
    writerUnderConstruction = undefined;
    this.#sink = sink;
    this.#write = write;
  }

  // `printLog` is Powertools' protected extension point: every log item, including Logger's own
  // warnings, goes through it. With a sink we serialise exactly as Powertools does, except always
  // on one line (JSONL), even when POWERTOOLS_DEV asks for pretty printing.
  protected override printLog(logLevel: number, log: LogItem): void {
    const write = #write in this ? this.#write : writerUnderConstruction;
    if (write === undefined) {
      super.printLog(logLevel, log);
      return;
    }
    log.prepareForPrint();
    write(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }

  // `createChild()` builds children through this factory: keep them on the same sink.
  protected override createLogger(options?: ConstructorOptions): Logger {
    return new LedgerLakeLogger({ ...options, sink: this.#sink });
  }
}
