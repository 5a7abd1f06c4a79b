/**
 * The shells whose completion scripts the tests run: bash is always there;
 * zsh and fish are Debian packages that .ci/run installs. When one is
 * missing and this process is root on a machine with apt-get, it is installed
 * here; otherwise the test fails with the command that installs it.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export type TestShell = 'bash' | 'zsh' | 'fish';

const INSTALL_HINT = 'The completion tests run the scripts in real shells. Install them with `sudo apt-get install -y zsh fish`.';

function findOnPath(name: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter(Boolean);
  for (const dir of [...dirs, '/usr/bin', '/bin']) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The path of each shell; installs the missing ones with apt-get when root, else throws. */
export function ensureShells(names: TestShell[]): Record<TestShell, string> {
  const missing = names.filter((n) => findOnPath(n) === undefined);
  if (missing.length > 0) {
    const aptGet = findOnPath('apt-get');
    if (process.getuid?.() !== 0 || aptGet === undefined) {
      throw new Error(`${missing.join(' and ')} not found. ${INSTALL_HINT}`);
    }
    process.stderr.write(`${missing.join(', ')} not found: installing with apt-get\n`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const stdio: ['ignore', number, number] = ['ignore', 2, 2];
    spawnSync(aptGet, ['update', '-qq'], { stdio, env });
    const install = spawnSync(aptGet, ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio, env });
    if (install.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed (exit ${String(install.status)}). ${INSTALL_HINT}`);
  }
  const found: Partial<Record<TestShell, string>> = {};
  for (const n of names) {
    const p = findOnPath(n);
    if (p === undefined) throw new Error(`${n} not found after installing it. ${INSTALL_HINT}`);
    found[n] = p;
  }
  return found as Record<TestShell, string>;
}
