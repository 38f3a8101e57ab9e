// The Electron fuses every packaged Keel flips (scripts/after-pack.mjs), in one list so a
// test can hold it. Fuses are bits in the Electron binary itself: they switch features off
// where no command-line flag or environment variable can switch them back on.
import fuses from '@electron/fuses';

const { FuseV1Options, FuseVersion } = fuses;

export const FUSES = Object.freeze({
  // Left ON, deliberately, for now: main/core starts its embedding worker and the local GGUF
  // worker with child_process.fork, which inside Electron works only through ELECTRON_RUN_AS_NODE.
  // Off, a packaged Keel would lose semantic search and local models. It goes off once those
  // workers run in Electron's utilityProcess (handed in by the shell), the remaining step here.
  RunAsNode: true,
  // Cookies on disk encrypted with the OS keychain, as Chrome does (one-way: never turn off again).
  EnableCookieEncryption: true,
  // NODE_OPTIONS / NODE_EXTRA_CA_CERTS could preload code or trust another CA.
  EnableNodeOptionsEnvironmentVariable: false,
  // --inspect and SIGUSR1 would open a debugger into the main process.
  EnableNodeCliInspectArguments: false,
  // app.asar checked against the hash electron-builder embeds (macOS, Windows).
  EnableEmbeddedAsarIntegrityValidation: true,
  // Only app.asar is loaded, never an `app` folder dropped next to it: with the check above, no unvalidated code.
  OnlyLoadAppFromAsar: true,
  // The default shared snapshot; a browser-specific one is not built.
  LoadBrowserProcessSpecificV8Snapshot: false,
  // The renderer comes from keel://, so file:// pages need none of their legacy extra powers.
  GrantFileProtocolExtraPrivileges: false,
});

/**
 * The @electron/fuses config for a target. Every fuse this version of @electron/fuses knows
 * must be decided above: an upgrade that adds one fails packaging until someone chooses.
 * (`strictlyRequireAllFuses` is not used: it also fails on fuses newer Electron binaries have
 * and @electron/fuses 1.x cannot name.) macOS arm64 binaries need their ad-hoc signature
 * redone after the bytes change, or they will not start unsigned.
 */
export function fuseConfig({ platform, arch }) {
  const config = { version: FuseVersion.V1, resetAdHocDarwinSignature: platform === 'darwin' && (arch === 'arm64' || arch === 'universal') };
  for (const name of Object.keys(FuseV1Options).filter((k) => Number.isNaN(Number(k)))) {
    if (!(name in FUSES)) throw new Error(`The fuse ${name} is not decided in scripts/fuses.mjs; add it to FUSES.`);
    config[FuseV1Options[name]] = FUSES[name];
  }
  return config;
}
