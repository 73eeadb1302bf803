/** Reading the app's state from a test: its Pinia stores and what Chart.js drew. */
import type { Page } from '@playwright/test'

/** Evaluates `body` (an expression over `store`) against one of the app's own Pinia stores. */
export async function fromStore<T>(page: Page, storeId: string, body: string): Promise<T> {
  return page.evaluate(
    ([id, expression]) => {
      const app = (document.querySelector('#app') as unknown as { __vue_app__: { config: { globalProperties: { $pinia: { _s: Map<string, unknown> } } } } }).__vue_app__
      const store = app.config.globalProperties.$pinia._s.get(id)
      return new Function('store', `return (${expression})`)(store) as never
    },
    [storeId, body] as const
  )
}

/** How many pixels of the (first matching) canvas are not transparent: how much Chart.js drew. */
export async function paintedPixelCount(page: Page, selector: string): Promise<number> {
  return page
    .locator(selector)
    .first()
    .evaluate((canvas: HTMLCanvasElement) => {
      const context = canvas.getContext('2d')
      if (!context || canvas.width === 0 || canvas.height === 0) return 0
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data
      let painted = 0
      for (let index = 3; index < pixels.length; index += 4) if (pixels[index] !== 0) painted++
      return painted
    })
}

/** True when the canvas has some non-transparent pixels, i.e. Chart.js drew on it. */
export async function canvasHasInk(page: Page, selector: string): Promise<boolean> {
  return (await paintedPixelCount(page, selector)) > 100
}
