/**
 * Preloaded with `node --require` by tests that check what a command loads: when the process
 * exits, the path of every CommonJS file it loaded is written, one a line, to the file named by
 * SOCKSCOPE_LOADED_FILES_REPORT.
 */
const { writeFileSync } = require('node:fs')

const reportPath = process.env.SOCKSCOPE_LOADED_FILES_REPORT
if (reportPath) {
  process.on('exit', () => writeFileSync(reportPath, Object.keys(require.cache).join('\n') + '\n'))
}
