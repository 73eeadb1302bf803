/** The capture form says up front what the capture library cannot do, before anything starts. */
import { expect, test } from '@playwright/test'
import { openApp, showView } from './support/app'

test('the Promiscuous box is disabled with its reason on the any pseudo-interface, and usable on one interface', async ({ page }) => {
  await openApp(page)
  await showView(page, 'capture')
  const box = page.getByTestId('capture-promiscuous')
  await page.getByTestId('capture-interface').selectOption('any')
  await expect(box).toBeDisabled()
  await expect(box).not.toBeChecked()
  await expect(page.getByTestId('capture-promiscuous-reason')).toHaveText('The "any" pseudo-interface cannot capture in promiscuous mode; choose one interface to use it.')
  await page.getByTestId('capture-interface').selectOption('lo')
  await expect(box).toBeEnabled()
  await expect(page.getByTestId('capture-promiscuous-reason')).toHaveCount(0)
})
