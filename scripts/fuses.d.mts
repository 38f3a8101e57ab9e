import type { FuseV1Config } from '@electron/fuses';

export declare const FUSES: Readonly<Record<string, boolean>>;
export declare function fuseConfig(target: { platform: string; arch: string }): FuseV1Config;
