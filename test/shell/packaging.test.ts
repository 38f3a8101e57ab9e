import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import fuses from '@electron/fuses';
import { describe, expect, test } from 'vitest';
import { afterPack, electronBinary } from '../../scripts/after-pack.mjs';
import { FUSES, fuseConfig } from '../../scripts/fuses.mjs';
import { defaultElectronDist, missingRuntime, parseArgs } from '../../scripts/package.mjs';
import { ROOT } from '../support/server-process';
import { tempDir } from '../support/temp';

const { FuseV1Options, FuseVersion, getCurrentFuseWire } = fuses;
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ON = 49; // '1'
const OFF = 48; // '0'

/** A stand-in Electron binary: the fuse sentinel, wire version 1, and `states` ('1'/'0' per fuse). */
function fakeElectron(dir: string, name: string, states: string): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([Buffer.from('ELF...'), Buffer.from(SENTINEL), Buffer.from([1, states.length]), Buffer.from(states), Buffer.from('...')]));
  return path;
}

const linuxContext = (appOutDir: string) => ({ appOutDir, electronPlatformName: 'linux', arch: 1, packager: { executableName: 'keel' } });

describe('Electron fuses', () => {
  test('the fuse list is exactly the decided one', () => {
    expect(FUSES).toEqual({
      RunAsNode: true,
      EnableCookieEncryption: true,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
      LoadBrowserProcessSpecificV8Snapshot: false,
      GrantFileProtocolExtraPrivileges: false,
    });
  });

  test('every fuse @electron/fuses knows is decided, at its own index', () => {
    const config = fuseConfig({ platform: 'linux', arch: 'x64' }) as unknown as Record<string | number, unknown>;
    const names = Object.keys(FuseV1Options).filter((k) => Number.isNaN(Number(k))) as (keyof typeof FuseV1Options)[];
    expect(names.sort()).toEqual(Object.keys(FUSES).sort());
    for (const name of names) expect(config[FuseV1Options[name]], name).toBe(FUSES[name]);
    expect(config.version).toBe(FuseVersion.V1);
    expect(config.resetAdHocDarwinSignature).toBe(false);
    expect(fuseConfig({ platform: 'darwin', arch: 'arm64' }).resetAdHocDarwinSignature).toBe(true);
    expect(fuseConfig({ platform: 'darwin', arch: 'x64' }).resetAdHocDarwinSignature).toBe(false);
  });

  test('the afterPack hook flips them in the packed binary and leaves newer fuses alone', async () => {
    const dir = tempDir();
    const binary = fakeElectron(dir, 'keel', '101001001'); // 9 fuses: one newer than @electron/fuses 1.x names
    await afterPack(linuxContext(dir));
    const wire = (await getCurrentFuseWire(binary)) as unknown as Record<number, number>;
    for (const [name, on] of Object.entries(FUSES)) expect(wire[FuseV1Options[name as keyof typeof FuseV1Options]], name).toBe(on ? ON : OFF);
    expect(wire[8]).toBe(ON);
  });

  test('a binary whose wire is too short for the list fails the package instead of shipping half-fused', async () => {
    const dir = tempDir();
    fakeElectron(dir, 'keel', '1010');
    await expect(afterPack(linuxContext(dir))).rejects.toThrow(/not long enough/);
  });

  test('the hook finds the binary on each platform', () => {
    const packager = { executableName: 'keel', appInfo: { productFilename: 'Keel' } };
    expect(electronBinary({ appOutDir: '/o', electronPlatformName: 'linux', arch: 1, packager })).toBe('/o/keel');
    expect(electronBinary({ appOutDir: '/o', electronPlatformName: 'win32', arch: 1, packager })).toBe('/o/Keel.exe');
    expect(electronBinary({ appOutDir: '/o', electronPlatformName: 'darwin', arch: 3, packager })).toBe('/o/Keel.app');
  });
});

describe('packages (electron-builder.yml)', () => {
  test('the configuration is valid: out/ and resources/ only, asar, the fuse hook, a target per platform', async () => {
    const require = createRequire(join(ROOT, 'package.json'));
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config');
    const { DebugLogger } = require('builder-util');
    const config = await getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);
    await validateConfiguration(config, new DebugLogger(false));
    expect(config.files).toEqual([{ filter: ['out/**/*', 'resources/**/*'] }]);
    expect(config.asar).toBe(true);
    expect(existsSync(join(ROOT, config.afterPack))).toBe(true);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.package).toBe('node scripts/package.mjs');
  });
});

describe('npm run package without the Electron runtime', () => {
  test('says so in one sentence and exits 1, without a stack trace or a build', () => {
    const absent = join(tempDir(), 'no-electron-here');
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts/package.mjs'), '--electron-dist', absent], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Packaging needs the Electron runtime, which is not in .*no-electron-here: run `npx install-electron` .* then npm run package again\.$/);
    expect(lines[0]!.match(/\.(\s|$)/g)).toHaveLength(1); // one sentence
    expect(run.stderr).not.toMatch(/Error|\n\s+at /);
  });

  test('a folder with the runtime passes the check; the default place honours ELECTRON_OVERRIDE_DIST_PATH', () => {
    const dist = tempDir();
    expect(missingRuntime(dist, 'linux')).toMatch(/^Packaging needs the Electron runtime/);
    writeFileSync(join(dist, 'electron'), '');
    expect(missingRuntime(dist, 'linux')).toBeNull();
    mkdirSync(join(dist, 'Electron.app/Contents/MacOS'), { recursive: true });
    writeFileSync(join(dist, 'Electron.app/Contents/MacOS/Electron'), '');
    expect(missingRuntime(dist, 'darwin')).toBeNull();
    expect(missingRuntime(dist, 'win32')).not.toBeNull();
    expect(defaultElectronDist({ ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' })).toBe('/opt/electron');
    expect(defaultElectronDist({})).toBe(join(ROOT, 'node_modules', 'electron', 'dist'));
  });

  test('--electron-dist is the script’s own; other arguments go to electron-builder', () => {
    expect(parseArgs(['--linux', 'deb', '--electron-dist', '/e', '--x64'])).toEqual({ distDir: '/e', builderArgs: ['--linux', 'deb', '--x64'] });
    expect(parseArgs(['--mac'])).toEqual({ distDir: null, builderArgs: ['--mac'] });
  });
});
