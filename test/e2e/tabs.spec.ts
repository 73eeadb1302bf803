/**
 * The tab strips in Chromium: the views and the capture panels are tablists a keyboard user can
 * walk with the arrow keys, the selected tab being the strip's one tab stop.
 */
import { expect, test } from '@playwright/test'
import { openApp, showView } from './support/app'

test('the arrow keys walk the views and focus the tab they select', async ({ page }) => {
  await openApp(page)
  const views = page.getByRole('tablist', { name: 'Views' })
  const sockets = views.getByRole('tab', { name: 'Sockets' })
  await expect(sockets).toHaveAttribute('aria-selected', 'true')
  await expect(sockets).toHaveAttribute('tabindex', '0')
  await sockets.focus()
  await page.keyboard.press('ArrowRight')
  const processes = views.getByRole('tab', { name: 'Processes' })
  await expect(processes).toHaveAttribute('aria-selected', 'true')
  await expect(processes).toBeFocused()
  await expect(sockets).toHaveAttribute('tabindex', '-1')
  await expect(page.getByTestId('socket-table')).toBeHidden()
  // Left of the first tab is the last one.
  await page.keyboard.press('ArrowLeft')
  await page.keyboard.press('ArrowLeft')
  await expect(views.getByRole('tab').last()).toBeFocused()
  await expect(views.getByRole('tab').last()).toHaveAttribute('aria-selected', 'true')
  await page.keyboard.press('Home')
  await expect(sockets).toHaveAttribute('aria-selected', 'true')
  await expect(page.getByTestId('socket-table')).toBeVisible()
})

test('the capture panels are a tablist of their own', async ({ page }) => {
  await openApp(page)
  await showView(page, 'capture')
  const panels = page.getByRole('tablist', { name: 'Capture panels' })
  await panels.getByRole('tab', { name: 'Packet' }).focus()
  await page.keyboard.press('End')
  const throughput = panels.getByRole('tab', { name: 'Throughput' })
  await expect(throughput).toHaveAttribute('aria-selected', 'true')
  await expect(throughput).toBeFocused()
  await expect(page.locator('.panel-tabs [data-panel="throughput"]')).toHaveClass(/active/)
})
