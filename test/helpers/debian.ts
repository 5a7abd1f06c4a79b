/**
 * The system tools the tests run (Prometheus, VictoriaMetrics, zsh, fish):
 * found on PATH (or /usr/bin, /bin), or installed from Debian's packages when
 * this process is root on a machine with apt-get. Otherwise the caller fails
 * with the command that installs them: no test is skipped in silence.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findOnPath(name: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter(Boolean);
  for (const dir of [...dirs, '/usr/bin', '/bin']) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The binary envVar names (it must be executable), else `name` on PATH. */
export function locateBinary(name: string, envVar: string, hint: string): string | undefined {
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${envVar}=${fromEnv} is not an executable file. ${hint}`);
    return fromEnv;
  }
  return findOnPath(name);
}

/**
 * Installs Debian packages with apt-get when this process is root and apt-get
 * is there; false when it cannot. A failing apt-get throws, with the hint.
 */
export function aptInstall(packages: readonly string[], hint: string): boolean {
  const aptGet = findOnPath('apt-get');
  if (process.getuid?.() !== 0 || aptGet === undefined) return false;
  process.stderr.write(`${packages.join(', ')} not found: installing Debian's ${packages.join(' ')} with apt-get\n`);
  const stdio: ['ignore', number, number] = ['ignore', 2, 2];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync(aptGet, ['update', '-qq'], { stdio, env });
  if (update.status !== 0) throw new Error(`apt-get update failed (exit ${String(update.status)}). ${hint}`);
  const install = spawnSync(aptGet, ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio, env });
  if (install.status !== 0) throw new Error(`apt-get install -y ${packages.join(' ')} failed (exit ${String(install.status)}). ${hint}`);
  return true;
}
