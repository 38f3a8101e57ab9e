#!/usr/bin/env node
// Browser tests drive Debian's Chromium (a test tool's own browser download cannot work on
// machines without internet). Install it when missing and we are allowed to; otherwise say how.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = process.env.KEEL_CHROMIUM ?? '/usr/bin/chromium';

if (existsSync(CHROMIUM)) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!isRoot || !hasApt) {
  console.error(
    `Chromium is needed for the browser tests and is not at ${CHROMIUM}. ` +
      `Install it (Debian/Ubuntu: sudo apt-get install -y chromium) or point KEEL_CHROMIUM at a Chromium binary.`,
  );
  process.exit(1);
}

console.log('Installing Debian Chromium for the browser tests (apt-get install chromium)...');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
if (!existsSync(CHROMIUM)) {
  console.error(`apt-get finished but ${CHROMIUM} is still missing.`);
  process.exit(1);
}
