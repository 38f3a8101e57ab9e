import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// From the module's own URL, so benchmarks (plain ESM under tsx) can use it as well as tests.
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUILT_SERVER = join(ROOT, 'out', 'main', 'server.js');

export interface ServerProcess {
  proc: ChildProcess;
  url: string;
  port: number;
  token: string;
  output(): string;
  /** Waits for a line matching `pattern` in stdout/stderr. */
  waitFor(pattern: RegExp): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Collects a child's output and resolves waiters when a line matches. */
export function watchOutput(proc: ChildProcess) {
  let text = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = text.match(w.pattern);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m[0]);
      }
    }
  };
  proc.stdout?.on('data', (d: Buffer) => ((text += d.toString()), check()));
  proc.stderr?.on('data', (d: Buffer) => ((text += d.toString()), check()));
  proc.on('exit', () => {
    for (const w of waiters.splice(0)) w.reject(new Error(`process exited before printing ${w.pattern}; output:\n${text}`));
  });
  return {
    output: () => text,
    waitFor(pattern: RegExp): Promise<string> {
      const m = text.match(pattern);
      if (m) return Promise.resolve(m[0]);
      if (proc.exitCode !== null) return Promise.reject(new Error(`process already exited; output:\n${text}`));
      return new Promise((resolve, reject) => waiters.push({ pattern, resolve, reject }));
    },
  };
}

/** Starts the built headless server on a temp data folder and waits for its URL line. */
export async function startServerProcess(dataDir: string, args: string[] = []): Promise<ServerProcess> {
  const proc = spawn(process.execPath, [BUILT_SERVER, '--data', dataDir, '--port', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = watchOutput(proc);
  const line = await out.waitFor(/Open (http:\/\/\S+)/);
  const url = line.replace(/^Open /, '');
  const parsed = new URL(url);
  return {
    proc,
    url,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token')!,
    output: out.output,
    waitFor: out.waitFor,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill(signal);
      const [code] = await once(proc, 'exit');
      return code as number | null;
    },
  };
}

/**
 * Runs a TypeScript child (`script`, with tsx) that KEEL_FAULT makes kill itself with SIGKILL at
 * a named point; resolves with how it ended and what it printed (crash tests assert SIGKILL).
 */
export async function runToFault(script: string, args: string[], fault: string): Promise<{ code: number | null; sig: NodeJS.Signals | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KEEL_FAULT: fault } });
  const out = watchOutput(child);
  const [code, sig] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, sig, output: out.output() };
}
