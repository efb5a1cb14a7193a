/**
 * CPU seconds (user + system) this process has used so far, every thread included (DuckDB's
 * threads, the Map worker threads): steadier than wall time on a shared machine.
 */
export function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
