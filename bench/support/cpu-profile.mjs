// Preloaded into a process the bench profiles (NODE_OPTIONS=--import …; node refuses --cpu-prof
// there): samples from the start, and writes <BENCH_CPU_PROF_DIR>/<pid>.cpuprofile when the
// process exits (the apps exit through process.exit on SIGTERM). Open it in Chrome DevTools.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  // A session on the process's own thread answers synchronously, so this runs before exit.
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(`${dir}/${process.pid}.cpuprofile`, JSON.stringify(result.profile));
    });
  });
}
