/**
 * One domain, one of each: the channel prefix `recording/…` has its channels in
 * shared/contract/recording.ts, its module in electron/backend/recording/recording-module.ts and its
 * store in renderer/src/stores/recording.ts, so the file serving a channel can be told from its name.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { domainContracts, eventChannels, requestChannels, type Domain } from '../../../shared/contract'
import { createBackend, handlersByChannel } from '../../../electron/backend/backend'
import type { BackendModule } from '../../../electron/backend/backend-module'
import { backendModules } from '../../../electron/backend/modules'

const root = join(__dirname, '../../..')
const domains = Object.keys(domainContracts) as Domain[]
const capitalized = (domain: string): string => domain.charAt(0).toUpperCase() + domain.slice(1)

describe('every domain', () => {
  it('declares only channels of its own prefix, and every channel belongs to a domain', () => {
    for (const domain of domains) {
      const { requests, events } = domainContracts[domain]
      for (const channel of [...Object.keys(requests), ...Object.keys(events)]) expect(channel.split('/')[0], channel).toBe(domain)
    }
    const declared = domains.flatMap((domain) => [...Object.keys(domainContracts[domain].requests), ...Object.keys(domainContracts[domain].events)])
    expect(new Set(declared)).toEqual(new Set([...Object.keys(requestChannels), ...Object.keys(eventChannels)]))
  })

  it('has its contract file, backend module and renderer store under its own name', async () => {
    expect(Object.keys(backendModules).sort()).toEqual([...domains].sort())
    for (const domain of domains) {
      const contract = (await import(/* @vite-ignore */ `../../../shared/contract/${domain}`)) as Record<string, unknown>
      expect(contract[`${domain}Contract`], `shared/contract/${domain}.ts`).toBe(domainContracts[domain])
      const module = (await import(/* @vite-ignore */ `../../../electron/backend/${domain}/${domain}-module`)) as Record<string, unknown>
      expect(module[`${domain}Module`], `electron/backend/${domain}/${domain}-module.ts`).toBe(backendModules[domain])
      const store = join(root, 'renderer/src/stores', `${domain}.ts`)
      expect(existsSync(store), `renderer/src/stores/${domain}.ts`).toBe(true)
      expect(readFileSync(store, 'utf8')).toContain(`export const use${capitalized(domain)}Store = defineStore('${domain}'`)
    }
  })

  it('names every further store of a domain <domain>-<concern>.ts, with that name as its id', () => {
    // The layout store is the app's own (which view shows), not a domain's.
    const stores = readdirSync(join(root, 'renderer/src/stores'))
      .map((file) => file.replace(/\.ts$/, ''))
      .filter((name) => name !== 'layout')
    for (const name of stores) {
      expect(
        domains.some((domain) => name === domain || name.startsWith(`${domain}-`)),
        `renderer/src/stores/${name}.ts`
      ).toBe(true)
      expect(readFileSync(join(root, 'renderer/src/stores', `${name}.ts`), 'utf8'), `renderer/src/stores/${name}.ts`).toContain(`defineStore('${name}'`)
    }
    expect(stores).toEqual(expect.arrayContaining(['capture-packets', 'capture-panels', 'capture-transfer']))
  })

  it('keeps its model types in shared/model, out of its contract file', () => {
    // A contract file holds channels, argument schemas and limits; a type declared there is a model type in the wrong place.
    for (const domain of domains) {
      const text = readFileSync(join(root, 'shared/contract', `${domain}.ts`), 'utf8')
      const declared = [...text.matchAll(/^\s*(?:export\s+)?(?:interface|type)\s+(\w+)\s*(?:[<={]|extends\b)/gm)].map((match) => match[1])
      expect(declared, `types declared in shared/contract/${domain}.ts`).toEqual([])
    }
  })

  it('serves every request channel of the contract', async () => {
    const backend = createBackend({ autoStart: false, resolveNames: false })
    try {
      for (const channel of Object.keys(requestChannels)) {
        // An unknown key is refused by the channel's schema, which is only consulted once a module serves it.
        const answer = await backend.handle(channel, { notAnArgument: true })
        expect({ channel, answer }).toMatchObject({ channel, answer: { ok: false, error: { code: 'invalid-arguments' } } })
      }
    } finally {
      await backend.dispose()
    }
  })
})

describe('handlersByChannel', () => {
  const serving = (...channels: string[]): BackendModule => ({ handlers: Object.fromEntries(channels.map((channel) => [channel, () => null])) })

  it('takes a module that serves its own domain', () => {
    expect([...handlersByChannel([['recording', serving('recording/start', 'recording/stop')]]).keys()]).toEqual(['recording/start', 'recording/stop'])
  })

  it("refuses a module that serves another domain's channel, naming both", () => {
    expect(() => handlersByChannel([['history', serving('history/series', 'recording/open')]])).toThrow('the history module handles recording/open, a channel of another domain')
  })

  it('refuses two modules serving the same channel', () => {
    expect(() =>
      handlersByChannel([
        ['dns', serving('dns/names')],
        ['dns', serving('dns/names')]
      ])
    ).toThrow('two domains handle dns/names')
  })
})
