/**
 * The layering of DESIGN.md §2, checked on every `npm test`:
 *   shared/      imports nothing of the project, no Node, no DOM-only packages
 *   main/core/   shared/ and Node; never electron, never renderer/, shell/ or server/
 *   main/shell/  main/core/, shared/, electron
 *   main/server/ main/core/, shared/; never electron
 *   preload/     shared/ and electron only
 *   renderer/    shared/ and browser code; never main/, preload/ code, Node or electron
 */
const nodeBuiltin = { dependencyTypes: ['core'] };

module.exports = {
  forbidden: [
    {
      name: 'shared-is-standalone',
      comment: 'shared/ is loaded by every process: it imports nothing of the project and no Node built-ins.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { pathNot: ['^shared/', '^node_modules/zod/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'core-has-no-electron',
      comment: 'main/core/ runs headless: no electron, no renderer, no shell or server.',
      severity: 'error',
      from: { path: '^main/core/' },
      to: { path: ['^node_modules/electron/', '^renderer/', '^main/shell/', '^main/server/', '^preload/'] },
    },
    {
      name: 'server-is-headless',
      comment: 'main/server/ wires the core to HTTP; it never touches Electron or the shell.',
      severity: 'error',
      from: { path: '^main/server/' },
      to: { path: ['^node_modules/electron/', '^main/shell/', '^renderer/', '^preload/'] },
    },
    {
      name: 'shell-is-wiring',
      comment: 'main/shell/ may use core and shared, never the server, renderer or preload code.',
      severity: 'error',
      from: { path: '^main/shell/' },
      to: { path: ['^main/server/', '^renderer/', '^preload/'] },
    },
    {
      name: 'preload-is-minimal',
      comment: 'preload/ imports shared/ and electron only.',
      severity: 'error',
      from: { path: '^preload/' },
      to: { pathNot: ['^preload/', '^shared/', '^node_modules/zod/', '^node_modules/electron/'] },
    },
    {
      name: 'renderer-through-the-api',
      comment: 'renderer/ reaches the core only through the API client; no main, preload code, Node or electron.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: ['^main/', '^preload/', '^node_modules/electron/'] },
    },
    {
      name: 'renderer-no-node',
      severity: 'error',
      from: { path: '^renderer/' },
      to: nodeBuiltin,
    },
    {
      name: 'shared-no-node',
      severity: 'error',
      from: { path: '^shared/' },
      to: nodeBuiltin,
    },
    {
      name: 'renderer-one-client',
      comment: 'Only renderer/src/api/ talks to transports; everything else goes through the client module.',
      severity: 'error',
      from: { path: '^renderer/src/', pathNot: '^renderer/src/api/' },
      to: { path: '^renderer/src/api/', pathNot: '^renderer/src/api/client\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.node.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    exclude: { path: '^(out|test|bench)/' },
  },
};
