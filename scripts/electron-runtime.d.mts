export function electronRuntime(options: { fetch: boolean }): { path: string | null; reason?: string };
