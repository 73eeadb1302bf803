/**
 * Screenshots for the README. `npm test` takes none, so a test run never rewrites tracked files;
 * `npm run screenshots` runs the tests tagged `@readme` with SOCKSCOPE_SCREENSHOT_DIR set, and
 * each one saves its picture there at the moment it shows what the README describes.
 */
import { join, resolve } from 'node:path'
import type { Page } from '@playwright/test'

/** The tag of the tests that take a README screenshot. */
export const README_SCREENSHOT = { tag: '@readme' }

/** Saves the page as NAME.png in SOCKSCOPE_SCREENSHOT_DIR; does nothing when it is not set. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  const directory = process.env.SOCKSCOPE_SCREENSHOT_DIR
  if (!directory) return
  await page.screenshot({ path: join(resolve(directory), `${name}.png`) })
}
