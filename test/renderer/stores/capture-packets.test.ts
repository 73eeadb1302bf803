// @vitest-environment happy-dom
/**
 * The shown capture's store against a real backend: the list read in pages (never the whole
 * capture), the display filter run in the backend, details, selection by position, and answers
 * that arrive after the list they were read for has gone.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MAX_CACHED_PAGES, PACKET_PAGE_SIZE, useCapturePacketsStore } from '../../../renderer/src/stores/capture-packets'
import { MAX_DISPLAY_FILTER_LENGTH } from '../../../shared/contract/capture'
import { captureStoreHarness, importCapture, loopbackCapture, syntheticCapture, type CaptureStoreHarness } from '../../support/capture/capture-store-harness'

let harness: CaptureStoreHarness

beforeEach(async () => {
  harness = await captureStoreHarness()
})
afterEach(async () => {
  await harness.dispose()
})

/** The packets store following the backend, with `bytes` imported and fully read in. */
async function showing(bytes: Uint8Array, name: string, packets: number) {
  const store = useCapturePacketsStore()
  await store.start()
  await importCapture(bytes, name)
  await vi.waitFor(() => expect(store.view?.source?.state).toBe('imported'), { timeout: 10_000 })
  expect(store.listCount).toBe(packets)
  return store
}

describe('useCapturePacketsStore', () => {
  it('reads the list page by page and describes the file it shows', async () => {
    const store = await showing(await loopbackCapture(), 'loopback.pcapng', 75)
    expect(store.sourceSummary).toMatchObject({ state: 'imported', stateLabel: 'file', label: 'loopback.pcapng', packets: 75, notes: [] })
    expect(store.stats).toBeNull()
    expect(store.rowAt(0)).toBeNull()

    const version = store.cacheVersion
    store.setVisibleRange(0, 30)
    await vi.waitFor(() => expect(store.rowAt(29)).not.toBeNull())
    expect(store.cacheVersion).toBeGreaterThan(version)
    expect(store.rowAt(0)).toMatchObject({ index: 0, protocol: 'TCP', source: '127.0.0.1', relativeSeconds: 0 })
    expect(store.rowAt(0)?.info).toContain('[SYN]')
    expect(store.cachedRowCount()).toBe(75)
    expect(harness.requests.filter((channel) => channel === 'capture/packet-page')).toHaveLength(1)
  })

  it('keeps only a few pages of a long list in memory, those nearest to where the list is', async () => {
    const total = 20_000
    const store = await showing(await syntheticCapture(harness.directory, total), 'long.pcapng', total)
    // One page at each of 50 places, and the last: more pages than the cache keeps.
    for (let first = 0; first < total; first += 400) {
      store.setVisibleRange(first, first + 40)
      await vi.waitFor(() => expect(store.rowAt(first + 39)?.index).toBe(first + 39))
    }
    store.setVisibleRange(total - 40, total)
    await vi.waitFor(() => expect(store.rowAt(total - 1)?.index).toBe(total - 1))
    expect(store.cachedRowCount()).toBe(MAX_CACHED_PAGES * PACKET_PAGE_SIZE)
    // The first pages read are the farthest from the end, so they went first.
    expect(store.rowAt(0)).toBeNull()
    expect(store.rowAt(18_000)?.index).toBe(18_000)
  })

  it('filters in the backend, and a half-typed filter shows its error while the list keeps the last good one', async () => {
    const store = await showing(await loopbackCapture(), 'loopback.pcapng', 75)
    await store.setDisplayFilter('proto:udp')
    await vi.waitFor(() => expect(store.view?.filter === 'proto:udp' && !store.view.filtering).toBe(true))
    const matched = store.listCount
    expect(matched).toBeGreaterThan(0)
    expect(matched).toBeLessThan(75)
    store.setVisibleRange(0, matched)
    await vi.waitFor(() => expect(store.rowAt(matched - 1)).not.toBeNull())
    for (let position = 0; position < matched; position++) expect(store.rowAt(position)?.protocol).not.toBe('TCP')

    await store.setDisplayFilter('prot:udp')
    expect(store.displayFilterError?.message).toContain('unknown field "prot"')
    expect(store.displayFilter).toBe('prot:udp')
    expect(store.listCount).toBe(matched)
  })

  it('refuses a filter one character over the limit in the box, and sends one at the limit', async () => {
    const store = await showing(await loopbackCapture(), 'loopback.pcapng', 75)
    const atLimit = `"${'x'.repeat(MAX_DISPLAY_FILTER_LENGTH - 2)}"`
    await store.setDisplayFilter(`${atLimit} `)
    expect(store.displayFilterError?.message).toContain(`longer than ${MAX_DISPLAY_FILTER_LENGTH} characters`)
    expect(harness.requests).not.toContain('capture/set-display-filter')
    await store.setDisplayFilter(atLimit)
    expect(store.displayFilterError).toBeNull()
    expect(store.viewError).toBeNull()
    await vi.waitFor(() => expect(store.view?.filter).toBe(atLimit))
    expect(harness.requests.filter((channel) => channel === 'capture/set-display-filter')).toHaveLength(1)
  })

  it('sends only the last of quickly typed filters', async () => {
    const store = await showing(await loopbackCapture(), 'loopback.pcapng', 75)
    // Each one a filter that compiles, as `port:5`, `port:53` are on the way to `port:535`.
    await Promise.all([store.setDisplayFilter('port:5'), store.setDisplayFilter('port:53'), store.setDisplayFilter('port:535')])
    expect(harness.requests.filter((channel) => channel === 'capture/set-display-filter')).toHaveLength(1)
    expect(store.displayFilterError).toBeNull()
    await vi.waitFor(() => expect(store.view?.filter).toBe('port:535'))
  })

  it('drops a page read for the previous filter instead of showing it under the new one', async () => {
    const store = await showing(await loopbackCapture(), 'loopback.pcapng', 75)
    const held = harness.holdAnswers('capture/packet-page')
    store.setVisibleRange(0, 30)
    await vi.waitFor(() => expect(held.waiting()).toBe(1))
    await store.setDisplayFilter('proto:udp')
    await vi.waitFor(() => expect(store.view?.filter === 'proto:udp' && !store.view.filtering).toBe(true))
    // The page for the new filter is asked for too; its answer comes first, the old one after it.
    await vi.waitFor(() => expect(held.waiting()).toBe(2))
    held.release()
    await vi.waitFor(() => expect(store.rowAt(0)).not.toBeNull())
    for (let position = 0; position < store.listCount; position++) expect(store.rowAt(position)?.protocol).not.toBe('TCP')
  })

  it('shows a packet’s layers and bytes, and a later selection wins over a slower answer', async () => {
    const store = await showing(await loopbackCapture(), 'loopback.pcapng', 75)
    await store.selectPacket(3)
    expect(store.details?.layers.map((layer) => layer.kind).slice(0, 3)).toEqual(['ethernet', 'ipv4', 'tcp'])
    expect(store.details?.bytes.length).toBe(store.details?.summary.capturedLength)
    expect(store.details?.conversationId).not.toBeNull()

    const held = harness.holdAnswers('capture/packet-details')
    const slow = store.selectPacket(5)
    const latest = store.selectPacket(7)
    await vi.waitFor(() => expect(held.waiting()).toBe(2))
    held.release()
    await Promise.all([slow, latest])
    expect(store.selectedIndex).toBe(7)
    expect(store.details?.index).toBe(7)

    await store.selectPacket(null)
    expect(store.details).toBeNull()
  })

  it('selects a row by position even when its page was never on screen, as Home and End do', async () => {
    const total = 3 * PACKET_PAGE_SIZE
    const store = await showing(await syntheticCapture(harness.directory, total), 'pages.pcapng', total)
    store.setVisibleRange(0, 30)
    await vi.waitFor(() => expect(store.rowAt(29)).not.toBeNull())
    expect(store.rowAt(total - 1)).toBeNull()
    await store.selectPosition(total - 1)
    expect(store.selectedIndex).toBe(total - 1)
    expect(store.details?.index).toBe(total - 1)
    await store.selectPosition(0)
    expect(store.details?.index).toBe(0)
  })

  it('starts a newly shown capture unselected, following its tail, and closes it on request', async () => {
    const store = await showing(await loopbackCapture(), 'loopback.pcapng', 75)
    await store.selectPacket(3)
    store.setFollowTail(false)
    await importCapture(await syntheticCapture(harness.directory, 10), 'ten.pcapng')
    await vi.waitFor(() => expect(store.view?.source?.label).toBe('ten.pcapng'))
    expect(store.selectedIndex).toBeNull()
    expect(store.details).toBeNull()
    expect(store.followTail).toBe(true)

    await store.clearView()
    expect(store.view?.source).toBeNull()
    expect(store.sourceSummary).toBeNull()
    expect(store.listCount).toBe(0)
  })

  it('says a cut file was read only in part, naming the byte offset', async () => {
    const bytes = await loopbackCapture()
    const store = useCapturePacketsStore()
    await store.start()
    await importCapture(bytes.subarray(0, Math.floor(bytes.length * 0.6)), 'cut.pcapng')
    await vi.waitFor(() => expect(store.sourceSummary?.state).toBe('error'))
    expect(store.sourceSummary?.stateLabel).toBe('file (partly read)')
    expect(store.sourceSummary?.detail).toMatch(/byte offset \d+/)
    expect(store.sourceSummary?.notes[0]).toBe(store.sourceSummary?.detail)
  })
})
