export interface PackContextLike {
  appOutDir: string;
  electronPlatformName: string;
  arch: number;
  packager: { executableName?: string; appInfo?: { productFilename: string } };
}
export declare function electronBinary(context: PackContextLike): string;
export declare function afterPack(context: PackContextLike): Promise<void>;
export default afterPack;
