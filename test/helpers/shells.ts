/**
 * The shells whose completion scripts the tests run: bash is always there;
 * zsh and fish are Debian packages that .ci/run installs. When one is
 * missing and this process is root on a machine with apt-get, it is installed
 * here; otherwise the test fails with the command that installs it.
 */
import { aptInstall, findOnPath } from './debian.js';

export type TestShell = 'bash' | 'zsh' | 'fish';

const INSTALL_HINT = 'The completion tests run the scripts in real shells. Install them with `sudo apt-get install -y zsh fish`.';

/** The path of each shell; installs the missing ones with apt-get when root, else throws. */
export function ensureShells(names: TestShell[]): Record<TestShell, string> {
  const missing = names.filter((n) => findOnPath(n) === undefined);
  if (missing.length > 0 && !aptInstall(missing, INSTALL_HINT)) {
    throw new Error(`${missing.join(' and ')} not found. ${INSTALL_HINT}`);
  }
  const found: Partial<Record<TestShell, string>> = {};
  for (const n of names) {
    const p = findOnPath(n);
    if (p === undefined) throw new Error(`${n} not found after installing it. ${INSTALL_HINT}`);
    found[n] = p;
  }
  return found as Record<TestShell, string>;
}
