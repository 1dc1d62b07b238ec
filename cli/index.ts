import { EXIT } from './io.ts';
import { runCli } from './program.ts';

// A reader that went away (`digitalpost receipts pull | head -1`) ends the run quietly, not with a stack.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(EXIT.failed);
  });
}

const exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  flushed: () =>
    new Promise((resolve, reject) =>
      process.stdout.write('', (error) => (error ? reject(error) : resolve())),
    ),
  env: process.env,
  stderrIsTTY: process.stderr.isTTY === true,
  untilStopped: () =>
    new Promise((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    }),
});
process.exitCode = exitCode;
