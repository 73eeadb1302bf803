import { defineConfig } from '@playwright/test'

/** Debian's Chromium; Playwright's own browser download is not available everywhere. */
const chromiumPath = process.env.SOCKSCOPE_CHROMIUM ?? '/usr/bin/chromium'

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  // One backend serves every test, and capture tests share the loopback interface.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  // No retries: a test that passes only on a second try is a flaky test to fix, not to hide.
  retries: 0,
  reporter: [['list']],
  globalSetup: './test/e2e/support/global-setup.ts',
  outputDir: 'test-results',
  use: {
    headless: true,
    viewport: { width: 1400, height: 860 },
    screenshot: 'only-on-failure',
    trace: 'off',
    launchOptions: {
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']
    }
  },
  projects: [
    { name: 'web', testIgnore: '**/electron/**' },
    { name: 'electron', testMatch: '**/electron/*.spec.ts' }
  ]
})
