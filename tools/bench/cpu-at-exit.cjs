'use strict';
// Preloaded into each process the start-up bench measures: writes the process's own CPU time
// (user + system, every thread) and its peak RSS to $BENCH_CPU_FILE as it exits.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  if (process.env.BENCH_CPU_FILE) writeFileSync(process.env.BENCH_CPU_FILE, JSON.stringify({ ...process.cpuUsage(), maxRSS: process.resourceUsage().maxRSS }));
});
