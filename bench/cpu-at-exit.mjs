// Preloaded (`node --import bench/cpu-at-exit.mjs ...`) by the throughput benchmark: writes the
// process's own CPU time (user + system, every thread, start-up included) to $CHIRP_CPU_OUT at exit.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  const u = process.cpuUsage();
  if (process.env.CHIRP_CPU_OUT)
    writeFileSync(process.env.CHIRP_CPU_OUT, JSON.stringify({ cpuS: (u.user + u.system) / 1e6 }));
});
