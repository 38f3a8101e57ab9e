// electron-builder's afterPack hook (electron-builder.yml): flips the fuses of scripts/fuses.mjs
// in the packed Electron binary, before electron-builder signs it and builds the installers,
// then reads them back so a package never ships with a fuse that did not take.
import { join } from 'node:path';
import builder from 'electron-builder';
import fuses from '@electron/fuses';
import { FUSES, fuseConfig } from './fuses.mjs';

const { FuseV1Options, flipFuses, getCurrentFuseWire } = fuses;
const ENABLE = '1'.charCodeAt(0);
const DISABLE = '0'.charCodeAt(0);

/** Where the packed binary is: the .app bundle on macOS, the .exe on Windows, the executable on Linux. */
export function electronBinary({ appOutDir, electronPlatformName, packager }) {
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return join(appOutDir, `${packager.appInfo.productFilename}.app`);
  if (electronPlatformName === 'win32') return join(appOutDir, `${packager.appInfo.productFilename}.exe`);
  return join(appOutDir, packager.executableName);
}

export async function afterPack(context) {
  const binary = electronBinary(context);
  await flipFuses(binary, fuseConfig({ platform: context.electronPlatformName, arch: builder.Arch[context.arch] }));
  const wire = await getCurrentFuseWire(binary);
  const wrong = Object.entries(FUSES).filter(([name, on]) => wire[FuseV1Options[name]] !== (on ? ENABLE : DISABLE));
  if (wrong.length > 0) throw new Error(`Fuses not set in ${binary}: ${wrong.map(([name]) => name).join(', ')}`);
}

export default afterPack;
