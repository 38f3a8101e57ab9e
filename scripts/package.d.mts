export declare function defaultElectronDist(env?: Record<string, string | undefined>): string;
export declare function missingRuntime(distDir: string, platform?: string): string | null;
export declare function parseArgs(argv: string[]): { distDir: string | null; builderArgs: string[] };
