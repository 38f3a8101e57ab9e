#!/usr/bin/env node
// The tests drive real programs from Debian's packages: Chromium for the browser tests (a test
// tool's own browser download cannot work on machines without internet), Dovecot for IMAP
// intake and Radicale for CalDAV. Install the missing ones when we are allowed to; otherwise say how.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const TOOLS = [
  { name: 'Chromium', pkg: 'chromium', bin: process.env.KEEL_CHROMIUM ?? '/usr/bin/chromium', env: 'KEEL_CHROMIUM', for: 'the browser tests' },
  { name: 'Dovecot', pkg: 'dovecot-imapd', bin: process.env.KEEL_DOVECOT ?? '/usr/sbin/dovecot', env: 'KEEL_DOVECOT', for: 'the IMAP intake tests' },
  { name: 'Radicale', pkg: 'radicale', bin: process.env.KEEL_RADICALE ?? '/usr/bin/radicale', env: 'KEEL_RADICALE', for: 'the CalDAV tests' },
];

const missing = TOOLS.filter((t) => !existsSync(t.bin));
if (!missing.length) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!isRoot || !hasApt) {
  for (const t of missing) console.error(`${t.name} is needed for ${t.for} and is not at ${t.bin}. Install it (Debian/Ubuntu: sudo apt-get install -y ${t.pkg}) or point ${t.env} at its binary.`);
  process.exit(1);
}

const pkgs = missing.map((t) => t.pkg);
console.log(`Installing Debian packages for the tests (apt-get install ${pkgs.join(' ')})...`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
const still = missing.filter((t) => !existsSync(t.bin));
if (still.length) {
  console.error(`apt-get finished but ${still.map((t) => t.bin).join(', ')} is still missing.`);
  process.exit(1);
}
