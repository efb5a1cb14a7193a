import { MAIN_LINE, ROW_PIPELINE, type MapContract, type TaskContract } from '@ledgerlake/contract';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { type AslDefinition, type AslState, rawDefinition } from './definition';

/*
 * The row pipeline's contract (libs/contract state-contract.ts) against the ASL it describes:
 * every Task and Distributed Map has an entry and every entry a state; each Task's function,
 * action, Parameters keys and ResultPath, each Map's children and ResultPath, match.
 */

const FUNCTION_ARN = /:function:ledgerlake-#\{Stage\}-([a-z-]+)$/;

/** Every state by name, and the Map each Map child runs in. */
function allStates(states: Readonly<Record<string, AslState>>, into = new Map<string, AslState>(), mapOf = new Map<string, AslState>()) {
  for (const [name, state] of Object.entries(states)) {
    into.set(name, state);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) {
      for (const child of Object.keys(processor.States)) mapOf.set(child, state);
      allStates(processor.States, into, mapOf);
    }
  }
  return { states: into, mapOf };
}

const definition: AslDefinition = rawDefinition();
const { states, mapOf } = allStates(definition.States);
const contracts = Object.entries(ROW_PIPELINE) as [string, TaskContract | MapContract][];

/** The top-level keys of an object schema (the event a Task's Parameters build). */
function keysOf(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return Object.keys(shape ?? {}).sort();
}

/**
 * What builds a Task's event: its `Parameters`; without them, its Map's `ItemSelector` for a Map's
 * first child; else none (the Task gets the whole state).
 */
function eventTemplate(name: string, state: AslState): Record<string, unknown> | undefined {
  const map = mapOf.get(name);
  const first = map !== undefined && (map.ItemProcessor as { StartAt: string }).StartAt === name;
  return (state['Parameters'] ?? (first ? map['ItemSelector'] : undefined)) as Record<string, unknown> | undefined;
}

const templateKeys = (template: Record<string, unknown>): string[] => Object.keys(template).map((key) => key.replace(/\.\$$/, '')).sort();

describe('the row pipeline contract', () => {
  it('has an entry for every Task and Distributed Map of the ASL, and a state for every entry', () => {
    const inAsl = [...states].filter(([, state]) => state.Type === 'Task' || state.Type === 'Map').map(([name]) => name);

    expect(Object.keys(ROW_PIPELINE).sort()).toEqual(inAsl.sort());
  });

  it.each(contracts.filter(([, contract]) => contract.kind === 'task'))('Task %s calls its function with its action, and stores its result in its section', (name, contract) => {
    const task = contract as TaskContract;
    const state = states.get(name) as AslState;
    const template = eventTemplate(name, state);

    expect(FUNCTION_ARN.exec(String(state.Resource))?.[1]).toBe(task.function);
    expect(template?.['action']).toBe(task.action);
    expect(Object.hasOwn(state, 'ResultPath') ? state['ResultPath'] : undefined).toBe(typeof task.section === 'string' ? `$.${task.section}` : task.section);
    // An event built by Parameters has exactly the keys of its schema; a whole-state event is parsed as the state.
    if (template !== undefined) expect([name, templateKeys(template)]).toEqual([name, keysOf(task.event)]);
  });

  it.each(contracts.filter(([, contract]) => contract.kind === 'map'))('Map %s runs its children in order and stores its run in its section', (name, contract) => {
    const map = contract as MapContract;
    const state = states.get(name) as AslState;
    const processor = state.ItemProcessor as { StartAt: string; States: Record<string, AslState> };
    const order: string[] = [];
    for (let at: string | undefined = processor.StartAt; at !== undefined; at = processor.States[at]?.Next as string | undefined) order.push(at);

    expect(order).toEqual(map.children);
    expect(state['ResultPath']).toBe(`$.${map.section}`);
  });

  it('lists the main line in the order a published run passes it', () => {
    const passed: string[] = [];
    for (let at: string | undefined = definition.StartAt; at !== undefined; ) {
      const state = definition.States[at] as AslState;
      if (state.Type === 'Task' || state.Type === 'Map') passed.push(at);
      if (state.Type === 'Choice') {
        // The way on: a duplicate file goes to ReportRun, a checked or blocked run away from Promote.
        const choices = state['Choices'] as { Next: string }[];
        at = at === 'IsPromotable' ? 'Promote' : (state['Default'] as string | undefined) ?? choices[0]?.Next;
      } else at = state.Next as string | undefined;
      if (at === 'ReportRun') break;
    }

    expect(MAIN_LINE.map(({ state }) => state)).toEqual(passed);
  });

  it.each([...new Set(contracts.flatMap(([, contract]) => (contract.kind === 'task' ? [contract.function] : [])))])(
    "the %s handler's comment names exactly the Tasks it serves",
    (fn) => {
      const source = readFileSync(join(__dirname, '../../../apps', fn, 'src/handler.ts'), 'utf8');
      const comment = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*export const handler\b/.exec(source)?.[1] ?? '';
      const named = [...comment.matchAll(/`([A-Z][A-Za-z]+)`/g)].map((match) => match[1]);
      const served = contracts.flatMap(([name, contract]) => (contract.kind === 'task' && contract.function === fn ? [name] : []));

      expect([...new Set(named)].sort()).toEqual(served.sort());
    },
  );
});
