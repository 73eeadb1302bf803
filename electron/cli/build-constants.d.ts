/** Values the build writes into the bundle (see `define` in electron.vite.config.ts). */

/** The `version` of package.json at build time. */
declare const __SOCKSCOPE_VERSION__: string
