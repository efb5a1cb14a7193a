import { parentPort, workerData } from 'node:worker_threads';
import type { LocalHandler, LocalLambdaContext } from '@ledgerlake/state-machine';
import { createLakeLayout, FsObjectStore } from '@ledgerlake/storage';
import { createFunctionHandler, type LocalWiring } from './local-lake';
import type { MapJob, MapJobReply, MapWorkerData } from './map-workers';

/*
 * One worker thread of the local Map runner: it builds each function's handler once — the app's
 * own createHandler, over the same lake folder — and runs the jobs the main thread sends, one at a
 * time, replying with the result (or the error, name kept) and the job's log lines.
 */

const data = workerData as MapWorkerData;
const lake = { root: data.root, store: new FsObjectStore(data.root), layout: createLakeLayout(data.buckets) };
const wiring: LocalWiring = data.wiring;
let lines: string[] = [];
const handlers = new Map<string, LocalHandler>();

function handlerOf(functionName: string): LocalHandler {
  let handler = handlers.get(functionName);
  if (handler === undefined) {
    handler = createFunctionHandler(functionName, lake, (line) => void lines.push(line), wiring);
    handlers.set(functionName, handler);
  }
  return handler;
}

parentPort?.on('message', (job: MapJob) => {
  lines = [];
  const deadline = Date.now() + job.context.remainingMs;
  const context: LocalLambdaContext = {
    ...job.context.fields,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  void handlerOf(job.functionName)(job.event, context).then(
    (result) => parentPort?.postMessage({ id: job.id, result, lines } satisfies MapJobReply),
    (error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      const retryable = (failure as { retryable?: unknown }).retryable;
      parentPort?.postMessage({
        id: job.id,
        error: { name: failure.name, message: failure.message, stack: failure.stack ?? '', retryable: retryable === true },
        lines,
      } satisfies MapJobReply);
    },
  );
});
