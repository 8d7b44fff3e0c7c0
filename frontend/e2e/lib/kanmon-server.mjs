// Starts a real kanmon server for the end-to-end tests: a fresh SQLite
// database in a temporary directory, migrated, with users added through the
// CLI, served on a free port in dev mode (plain-HTTP cookies on localhost).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The binary under test: KANMON_BIN, else ./bin/kanmon from the repository root. */
export const kanmonBin = resolve(process.env.KANMON_BIN ?? './bin/kanmon');

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function waitReady(url, child, deadline = Date.now() + 20_000) {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`kanmon serve exited with ${child.exitCode}`);
    const ok = await fetch(url + '/readyz').then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}/readyz not ready in time`);
}

/**
 * startKanmon migrates a new database and serves it. `extraArgs` go to
 * `kanmon serve` (e.g. ['--flow-ttl', '3s']). The server's log is kept and
 * printed if the caller asks for it with `log()`.
 */
export async function startKanmon(extraArgs = []) {
  if (!existsSync(kanmonBin)) throw new Error(`${kanmonBin} not found: build it (make) or set KANMON_BIN`);
  const dir = mkdtempSync(join(tmpdir(), 'kanmon-e2e-'));
  const db = `file:${join(dir, 'kanmon.db')}`;
  const run = (args, input) => execFileSync(kanmonBin, args, { cwd: dir, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  run(['migrate', '--db', db]);

  const port = await freePort();
  const url = `http://localhost:${port}`;
  const child = spawn(
    kanmonBin,
    ['serve', '--db', db, '--addr', `127.0.0.1:${port}`, '--base-url', url, '--dev', ...extraArgs],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  await waitReady(url, child);

  return {
    url,
    /** addUser creates a user with a known password through the CLI. */
    addUser(username, password, email = `${username}@example.jp`) {
      run(['user', 'add', '--db', db, '--email', email, '--password-stdin', username], password + '\n');
    },
    log: () => output,
    async close() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
