/*
 * A promotion in its own OS process, for the cross-process tests. Started with
 * `--require @swc-node/register`; the command comes as JSON in argv[2]. Protocol over IPC: the
 * worker sends {ready}, waits for {go}, promotes and sends {result} (or {error}).
 *   holdLatestMs — after its first look at a `_LATEST.json`, wait this long: two workers started
 *                  together then both read the same version before either commits (a real race).
 *   dieAtCommit  — kill itself (SIGKILL) the moment it would write `_LATEST.json`: a promotion
 *                  stopped between its steps, its files already copied into `current/`.
 */
import { createLakeLayout, FsObjectStore, localBuckets, type ObjectRef, type ObjectStore } from '@ledgerlake/storage';
import { promoteRun } from '../../src';
import { promotionDeps } from './run-output';

/** What a worker is asked to do. */
export interface PromoteCommand {
  readonly root: string;
  readonly runId: string;
  readonly holdLatestMs?: number;
  readonly dieAtCommit?: boolean;
}

const command = JSON.parse(process.argv[2] ?? '{}') as PromoteCommand;
const isLatest = (ref: ObjectRef) => ref.key.endsWith('/_LATEST.json');

function instrument(store: FsObjectStore): ObjectStore {
  let held = false;
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (property === 'head' && command.holdLatestMs !== undefined) {
        return async (ref: ObjectRef) => {
          const meta = await target.head(ref);
          if (isLatest(ref) && !held) {
            held = true;
            await new Promise((resolve) => setTimeout(resolve, command.holdLatestMs));
          }
          return meta;
        };
      }
      if ((property === 'putIfAbsent' || property === 'putIfMatch') && command.dieAtCommit === true) {
        return (ref: ObjectRef, ...rest: unknown[]) => {
          if (isLatest(ref)) process.kill(process.pid, 'SIGKILL');
          return (value as (...args: unknown[]) => unknown).call(target, ref, ...rest);
        };
      }
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
}

process.on('message', (message: { go?: boolean }) => {
  if (message.go !== true) return;
  const layout = createLakeLayout(localBuckets());
  const store = instrument(new FsObjectStore(command.root));
  promoteRun(command.runId, promotionDeps(store, layout))
    .then((result) => process.send?.({ result }))
    .catch((error: unknown) => process.send?.({ error: error instanceof Error ? error.message : String(error) }))
    .finally(() => process.disconnect());
});
process.send?.({ ready: true });
