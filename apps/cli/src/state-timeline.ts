import type { Span } from '@ledgerlake/run-recorder';
import type { AslDefinition } from '@ledgerlake/state-machine';

/**
 * A local execution's timeline, from the runner's state events (the cloud's comes from the
 * execution's history): each top-level state from when it was first entered to when it was last
 * left; a Map state also counts its iterations (the entries of its item processor's first state).
 * What the run's report draws (apps/run-recorder report).
 */
export class StateTimeline {
  private readonly t0 = performance.now();
  private readonly spans = new Map<string, { start: number; end: number | undefined }>();
  private readonly iterations = new Map<string, number>();
  /** The first state of each Map's item processor → the Map. */
  private readonly firstOfMap = new Map<string, string>();

  constructor(private readonly definition: AslDefinition) {
    for (const [name, state] of Object.entries(definition.States)) {
      const processor = (state as { ItemProcessor?: { StartAt?: string }; Iterator?: { StartAt?: string } }).ItemProcessor ?? (state as { Iterator?: { StartAt?: string } }).Iterator;
      if (state.Type === 'Map' && processor?.StartAt !== undefined) this.firstOfMap.set(processor.StartAt, name);
    }
  }

  entered(name: string): void {
    const at = performance.now() - this.t0;
    const map = this.firstOfMap.get(name);
    if (map !== undefined) this.iterations.set(map, (this.iterations.get(map) ?? 0) + 1);
    if (this.definition.States[name] === undefined || this.spans.has(name)) return;
    this.spans.set(name, { start: at, end: undefined });
  }

  exited(name: string): void {
    const span = this.spans.get(name);
    if (span !== undefined) span.end = performance.now() - this.t0;
  }

  /** The spans so far, from the first state's entry, in the order the states were entered (a state still running ends now). */
  snapshot(): Span[] {
    const now = performance.now() - this.t0;
    const first = [...this.spans.values()][0]?.start ?? 0;
    return [...this.spans].map(([name, span]) => ({
      name,
      start_ms: Math.round(span.start - first),
      end_ms: Math.round((span.end ?? now) - first),
      ...(this.iterations.has(name) ? { iterations: this.iterations.get(name) as number } : {}),
    }));
  }
}
