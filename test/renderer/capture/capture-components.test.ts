// @vitest-environment happy-dom
/** The capture view's components on their own: virtualized list, hex dump, tree, form and stream. */
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import CaptureForm from '../../../renderer/src/components/capture/CaptureForm.vue'
import CaptureStatusStrip from '../../../renderer/src/components/capture/CaptureStatusStrip.vue'
import type { SourceSummary } from '../../../renderer/src/stores/capture-packets'
import DecodedTree from '../../../renderer/src/components/capture/DecodedTree.vue'
import FollowStream from '../../../renderer/src/components/capture/FollowStream.vue'
import HexDump from '../../../renderer/src/components/capture/HexDump.vue'
import PacketList from '../../../renderer/src/components/capture/PacketList.vue'
import type { CaptureFormValues } from '../../../renderer/src/stores/capture'
import type { StreamView } from '../../../renderer/src/stores/capture-panels'
import ConversationsTable from '../../../renderer/src/components/capture/ConversationsTable.vue'
import type { ConversationRow, PacketListRow } from '../../../shared/model/capture-view'
import { emptyTcpAnalysis } from '../../../shared/model/tcp-analysis'
import type { DecodedLayer } from '../../../shared/model/decoded-packet'
import { elementAt } from '../../../shared/element-at'

function row(index: number): PacketListRow {
  return {
    index,
    relativeSeconds: index / 1000,
    source: '127.0.0.1',
    destination: '127.0.0.2',
    transport: index % 2 ? 'udp' : 'tcp',
    sourcePort: 40_000 + (index % 100),
    destinationPort: 53,
    protocol: index % 2 ? 'UDP' : 'TCP',
    length: 60 + (index % 100),
    process: index % 3 ? `node (${1000 + (index % 7)})` : null,
    pid: index % 3 ? 1000 + (index % 7) : null,
    direction: index % 3 ? 'sent' : null,
    info: `packet ${index}`,
    malformed: false,
    reset: false,
    expert: '',
    expertSeverity: null,
    ackRttSeconds: null
  }
}

describe('PacketList', () => {
  it('puts only the rows in view in the DOM, even for a million packets', async () => {
    const asked: number[] = []
    const wrapper = mount(PacketList, {
      props: { count: 1_000_000, rowAt: (position: number) => (asked.push(position), row(position)), cacheVersion: 0, selectedIndex: null, followTail: false }
    })
    const rendered = wrapper.findAll('[data-packet-index]')
    expect(rendered.length).toBeGreaterThan(10)
    expect(rendered.length).toBeLessThan(60)
    expect(new Set(asked).size).toBeLessThan(60)
    expect(elementAt(rendered, 0).text()).toContain('packet 0')
    expect(wrapper.emitted('range')?.[0]).toEqual([0, rendered.length])
  })

  it('maps a scroll to the end of a very long list onto its last rows', async () => {
    const wrapper = mount(PacketList, {
      props: { count: 1_000_000, rowAt: row, cacheVersion: 0, selectedIndex: null, followTail: false },
      attachTo: document.body
    })
    const viewport = wrapper.get('[data-testid="packet-list"]')
    const spacer = wrapper.get('.table-spacer')
    // The scroll height is capped; positions map proportionally.
    expect(parseInt(elementAt(spacer.attributes('style')!.match(/height: (\d+)px/)!, 1))).toBeLessThan(1_000_000 * 22)
    ;(viewport.element as HTMLElement).scrollTop = 8_000_000
    await viewport.trigger('scroll')
    const indexes = wrapper.findAll('[data-packet-index]').map((element) => Number(element.attributes('data-packet-index')))
    expect(Math.max(...indexes)).toBe(999_999)
    expect(indexes.length).toBeLessThan(60)
    wrapper.unmount()
  })

  it('shows what the TCP analysis found in the Expert column, the row marked by how bad it is', () => {
    const findings: Record<number, Partial<PacketListRow>> = {
      1: { expert: 'Retransmission', expertSeverity: 'note' },
      2: { expert: 'Previous segment not captured', expertSeverity: 'warning' }
    }
    const wrapper = mount(PacketList, {
      props: { count: 4, rowAt: (position: number) => ({ ...row(position), ...findings[position] }), cacheVersion: 0, selectedIndex: null, followTail: false }
    })
    const headers = wrapper.findAll('[role="columnheader"]').map((header) => header.text())
    expect(headers).toContain('Expert')
    const expertCell = (index: number) => wrapper.get(`[data-packet-index="${index}"] [data-column="expert"]`)
    expect(expertCell(1).text()).toContain('Retransmission')
    expect(wrapper.get('[data-packet-index="1"]').classes()).toContain('expert-note')
    expect(wrapper.get('[data-packet-index="2"]').classes()).toContain('expert-warning')
    expect(expertCell(2).find('.expert-marker').exists()).toBe(true)
    expect(expertCell(0).text()).toBe('')
    expect(expertCell(0).find('.expert-marker').exists()).toBe(false)
    expect(
      wrapper
        .get('[data-packet-index="0"]')
        .classes()
        .some((name) => name.startsWith('expert-'))
    ).toBe(false)
  })

  it('shows placeholders for rows still loading and selects a clicked row', async () => {
    const wrapper = mount(PacketList, {
      props: { count: 50, rowAt: (position: number) => (position < 5 ? row(position) : null), cacheVersion: 0, selectedIndex: 2, followTail: false }
    })
    expect(wrapper.findAll('.packet-row.loading').length).toBeGreaterThan(0)
    expect(wrapper.get('[data-packet-index="2"]').classes()).toContain('selected')
    await wrapper.get('[data-packet-index="3"]').trigger('click')
    expect(wrapper.emitted('select')?.[0]).toEqual([3])
    await wrapper.get('[data-testid="packet-list"]').trigger('keydown', { key: 'ArrowDown' })
    expect(wrapper.emitted('selectPosition')?.[0]).toEqual([3])
  })
  it('moves to either end with Home and End, scrolling there, and stops following the tail when leaving the end', async () => {
    const wrapper = mount(PacketList, {
      props: { count: 5000, rowAt: row, cacheVersion: 0, selectedIndex: null, followTail: true },
      attachTo: document.body
    })
    const viewport = wrapper.get('[data-testid="packet-list"]')
    await viewport.trigger('keydown', { key: 'End' })
    expect(wrapper.emitted('selectPosition')?.at(-1)).toEqual([4999])
    expect(wrapper.emitted('followTail')).toBeUndefined()
    const endTop = (viewport.element as HTMLElement).scrollTop
    expect(endTop).toBe(5000 * 22 - 400)
    await viewport.trigger('keydown', { key: 'Home' })
    expect(wrapper.emitted('selectPosition')?.at(-1)).toEqual([0])
    expect(wrapper.emitted('followTail')?.at(-1)).toEqual([false])
    expect((viewport.element as HTMLElement).scrollTop).toBe(0)
    await viewport.trigger('keydown', { key: 'Escape' })
    expect(wrapper.emitted('select')?.at(-1)).toEqual([null])
    wrapper.unmount()
  })
})

describe('HexDump', () => {
  it('highlights the selected bytes in both the hex and the text column', async () => {
    const bytes = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    const wrapper = mount(HexDump, { props: { bytes, highlight: { offset: 4, length: 3 } } })
    expect(wrapper.findAll('.hex-line')).toHaveLength(2)
    expect(wrapper.findAll('.hex-byte.highlighted').map((cell) => cell.text())).toEqual(['2f', '20', '48'])
    expect(
      wrapper
        .findAll('.hex-char.highlighted')
        .map((cell) => cell.element.textContent)
        .join('')
    ).toBe('/ H')
    await wrapper.get('[data-offset="0"]').trigger('click')
    expect(wrapper.emitted('pick')?.[0]).toEqual([0])
  })
})

const layers: DecodedLayer[] = [
  {
    kind: 'ipv4',
    title: 'Internet Protocol Version 4',
    offset: 0,
    length: 20,
    fields: [{ name: 'ip.src', label: 'Source', value: '127.0.0.1', display: '127.0.0.1', offset: 12, length: 4, children: [] }]
  },
  {
    kind: 'udp',
    title: 'User Datagram Protocol, Src Port: 5000, Dst Port: 53',
    offset: 20,
    length: 8,
    fields: [
      { name: 'udp.srcport', label: 'Source Port', value: 5000, display: '5000', offset: 20, length: 2, children: [] },
      { name: 'udp.dstport', label: 'Destination Port', value: 53, display: '53', offset: 22, length: 2, children: [] }
    ]
  }
]

describe('DecodedTree', () => {
  it('folds layers and reports the byte range of the selected field', async () => {
    const wrapper = mount(DecodedTree, { props: { layers } })
    // UDP starts open, IPv4 closed.
    expect(wrapper.find('[data-field="udp.dstport"]').exists()).toBe(true)
    expect(wrapper.find('[data-field="ip.src"]').exists()).toBe(false)
    await wrapper.get('[data-layer="ipv4"] [data-testid="layer-toggle"]').trigger('click')
    await wrapper.get('[data-field="ip.src"]').trigger('click')
    expect(wrapper.emitted('select')?.at(-1)).toEqual([{ offset: 12, length: 4 }])
    await wrapper.get('[data-field="udp.dstport"]').trigger('click')
    expect(wrapper.emitted('select')?.at(-1)).toEqual([{ offset: 22, length: 2 }])
  })

  it('"Expand all" opens fields nested at every depth, and "Collapse all" shuts them', async () => {
    const nested: DecodedLayer[] = [
      {
        kind: 'dns',
        title: 'Domain Name System (query)',
        offset: 28,
        length: 29,
        fields: [
          {
            name: 'dns.qry',
            label: 'Queries',
            value: 1,
            display: '1',
            offset: 40,
            length: 17,
            children: [
              {
                name: 'dns.qry.entry',
                label: 'example.com: type A',
                value: 'example.com',
                display: 'example.com',
                offset: 40,
                length: 17,
                children: [{ name: 'dns.qry.name', label: 'Name', value: 'example.com', display: 'example.com', offset: 40, length: 13, children: [] }]
              }
            ]
          }
        ]
      }
    ]
    const wrapper = mount(DecodedTree, { props: { layers: nested } })
    expect(wrapper.find('[data-field="dns.qry.name"]').exists()).toBe(false)
    ;(wrapper.vm as unknown as { expandAll(open: boolean): void }).expandAll(true)
    await wrapper.vm.$nextTick()
    expect(wrapper.find('[data-field="dns.qry.entry"]').exists()).toBe(true)
    expect(wrapper.find('[data-field="dns.qry.name"]').exists()).toBe(true)
    ;(wrapper.vm as unknown as { expandAll(open: boolean): void }).expandAll(false)
    await wrapper.vm.$nextTick()
    expect(wrapper.find('[data-field="dns.qry"]').exists()).toBe(false)
    // A field still folds on its own.
    ;(wrapper.vm as unknown as { expandAll(open: boolean): void }).expandAll(true)
    await wrapper.vm.$nextTick()
    await wrapper.get('[data-field="dns.qry.entry"] .twisty').trigger('click')
    expect(wrapper.find('[data-field="dns.qry.name"]').exists()).toBe(false)
    expect(wrapper.find('[data-field="dns.qry.entry"]').exists()).toBe(true)
  })

  it('selects the innermost field under a byte picked in the hex dump', async () => {
    const wrapper = mount(DecodedTree, { props: { layers } })
    ;(wrapper.vm as unknown as { selectAt(offset: number): void }).selectAt(21)
    expect(wrapper.emitted('select')?.at(-1)).toEqual([{ offset: 20, length: 2 }])
  })
})

const form: CaptureFormValues = {
  interface: 'lo',
  filter: 'port 80',
  snaplen: 0,
  promiscuous: true,
  bufferMiB: 2,
  stopAfterPackets: null,
  stopAfterKibibytes: null,
  stopAfterSeconds: null
}
const devices = [
  {
    name: 'lo',
    description: null,
    addresses: [{ address: '127.0.0.1', netmask: null, broadcast: null, destination: null }],
    loopback: true,
    linkType: 1,
    linkTypeName: 'ETHERNET',
    openError: null,
    openErrorCode: null
  },
  { name: 'any', description: 'Pseudo-device', addresses: [], loopback: false, linkType: 276, linkTypeName: 'LINUX_SLL2', openError: null, openErrorCode: null }
]

describe('CaptureForm', () => {
  it('lists interfaces with addresses and link types, shows libpcap’s message, and starts', async () => {
    const wrapper = mount(CaptureForm, { props: { modelValue: form, interfaces: devices, busy: false, running: false, filterError: 'syntax error in filter expression' } })
    const options = wrapper.findAll('[data-testid="capture-interface"] option').map((option) => option.text())
    expect(options[0]).toContain('127.0.0.1')
    expect(options[0]).toContain('ETHERNET')
    expect(options[1]).toContain('LINUX_SLL2')
    expect(wrapper.get('[data-testid="capture-filter-error"]').text()).toBe('syntax error in filter expression')
    await wrapper.get('[data-testid="capture-stop-packets"]').setValue('100')
    expect(wrapper.emitted('update:modelValue')?.at(-1)?.[0]).toMatchObject({ stopAfterPackets: 100 })
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('start')).toHaveLength(1)
  })

  it('offers Stop and locks the settings while a capture runs', async () => {
    const wrapper = mount(CaptureForm, { props: { modelValue: form, interfaces: devices, busy: true, running: true, filterError: null } })
    expect(wrapper.find('[data-testid="capture-start"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="capture-filter"]').attributes('disabled')).toBeDefined()
    await wrapper.get('[data-testid="capture-stop"]').trigger('click')
    expect(wrapper.emitted('stop')).toHaveLength(1)
  })
})

describe('FollowStream', () => {
  const encoder = new TextEncoder()
  const stream: StreamView = {
    conversationId: '0',
    clientLabel: '127.0.0.1:50000',
    serverLabel: '127.0.0.1:80',
    clientBytes: 18,
    serverBytes: 6,
    chunks: [
      { fromClient: true, bytes: encoder.encode('GET / HTTP/1.0\r\n\r\n'), retransmitted: false },
      { fromClient: false, bytes: encoder.encode('hello\u0001'), retransmitted: true }
    ],
    notes: []
  }

  it('shows each side in its own colour, as text or hex', async () => {
    const wrapper = mount(FollowStream, { props: { stream } })
    expect(wrapper.get('[data-side="client"]').text()).toContain('GET / HTTP/1.0')
    expect(wrapper.get('[data-side="server"]').text()).toBe('hello.')
    await wrapper.get('[data-testid="follow-mode-hex"]').setValue(true)
    expect(wrapper.get('[data-side="client"]').text()).toContain('00000000  47 45 54 20')
    expect(wrapper.get('[data-side="server"]').text()).toContain('68 65 6c 6c 6f 01')
  })

  it('marks bytes that only arrived in a retransmission, and only those', () => {
    const wrapper = mount(FollowStream, { props: { stream } })
    expect(wrapper.get('[data-side="server"]').classes()).toContain('retransmitted')
    expect(wrapper.get('[data-side="server"]').attributes('title')).toMatch(/retransmission/)
    expect(wrapper.get('[data-side="client"]').classes()).not.toContain('retransmitted')
  })
})

describe('ConversationsTable', () => {
  const conversation = (id: string, retransmissions: number | null, averageSeconds: number | null): ConversationRow => ({
    id,
    transport: retransmissions === null ? 'udp' : 'tcp',
    endpointA: `10.0.0.1:${4000 + Number(id)}`,
    endpointB: '10.0.0.2:443',
    portA: 4000 + Number(id),
    portB: 443,
    packetsAToB: 1,
    packetsBToA: 1,
    bytesAToB: 100 * Number(id),
    bytesBToA: 0,
    startSeconds: Number(id),
    durationSeconds: 1,
    handshake: true,
    fin: false,
    reset: false,
    process: null,
    pid: null,
    tcpAnalysis:
      retransmissions === null
        ? null
        : {
            ...emptyTcpAnalysis(),
            retransmissions,
            duplicateAcks: 2 * retransmissions,
            rtt: { samples: averageSeconds === null ? 0 : 3, minSeconds: averageSeconds, averageSeconds, maxSeconds: averageSeconds }
          }
  })
  const rows = [conversation('1', 0, 0.002), conversation('2', 7, 0.0005), conversation('3', null, null), conversation('4', 2, null)]
  const order = (wrapper: ReturnType<typeof mount>) => wrapper.findAll('[data-conversation-id]').map((element) => element.attributes('data-conversation-id'))

  it('shows retransmissions and the average ACK round trip, sortable by either', async () => {
    const wrapper = mount(ConversationsTable, { props: { conversations: rows, total: rows.length, selectedId: null } })
    expect(wrapper.get('[data-conversation-id="2"] [data-column="retransmissions"]').text()).toBe('7')
    expect(wrapper.get('[data-conversation-id="2"] [data-column="rtt"]').text()).toBe('0.500 ms')
    expect(wrapper.get('[data-conversation-id="1"] [data-column="rtt"]').text()).toBe('2.0 ms')
    expect(wrapper.get('[data-conversation-id="3"] [data-column="retransmissions"]').text()).toBe('')
    expect(wrapper.get('[data-conversation-id="2"] [data-column="rtt"]').attributes('title')).toContain('over 3 ACKs')
    await wrapper.get('[data-testid="sort-retransmissions"]').trigger('click')
    expect(order(wrapper)).toEqual(['2', '4', '1', '3'])
    await wrapper.get('[data-testid="sort-retransmissions"]').trigger('click')
    expect(order(wrapper)).toEqual(['3', '1', '4', '2'])
    await wrapper.get('[data-testid="sort-rtt"]').trigger('click')
    expect(order(wrapper)).toEqual(['1', '2', '3', '4'])
  })

  it('asks to save the table, in the order shown, as CSV or JSON', async () => {
    const wrapper = mount(ConversationsTable, { props: { conversations: rows, total: rows.length, selectedId: null } })
    await wrapper.get('[data-testid="sort-retransmissions"]').trigger('click')
    await wrapper.get('[data-testid="export-conversations-csv"]').trigger('click')
    await wrapper.get('[data-testid="export-conversations-json"]').trigger('click')
    const emitted = wrapper.emitted('exportTable') as [string, readonly ConversationRow[]][]
    expect(emitted.map(([format]) => format)).toEqual(['csv', 'json'])
    expect(emitted[0]?.[1].map((row) => row.id)).toEqual(['2', '4', '1', '3'])
  })
})

describe('CaptureStatusStrip', () => {
  const source: SourceSummary = {
    state: 'ended',
    stateLabel: 'stopped',
    label: 'live on lo',
    detail: '',
    packets: 10,
    bytes: 1000,
    durationSeconds: 2,
    notes: ['Packets on lo are seen once, in the direction they were sent.', 'Timestamps are the kernel’s.']
  }

  it('keeps the standing caveats behind an info button that shows them on a click', async () => {
    const wrapper = mount(CaptureStatusStrip, { props: { source, stats: null, packetsPerSecond: 0, bytesPerSecond: 0 } })
    const button = wrapper.get('[data-testid="capture-caveats"]')
    expect(button.text()).toBe('ⓘ 2')
    expect(button.attributes('title')).toBe(source.notes.join('\n'))
    expect(wrapper.findAll('[data-testid="capture-caveat"]')).toHaveLength(0)
    await button.trigger('click')
    expect(wrapper.findAll('[data-testid="capture-caveat"]').map((note) => note.text())).toEqual(source.notes)
  })

  it('keeps an error in view, apart from the caveats', () => {
    const failed: SourceSummary = {
      ...source,
      state: 'error',
      detail: 'the file ends in the middle of a block',
      notes: ['the file ends in the middle of a block', ...source.notes]
    }
    const wrapper = mount(CaptureStatusStrip, { props: { source: failed, stats: null, packetsPerSecond: 0, bytesPerSecond: 0 } })
    expect(wrapper.get('[role="alert"]').text()).toBe('the file ends in the middle of a block')
    expect(wrapper.get('[data-testid="capture-caveats"]').text()).toBe('ⓘ 2')
  })
})
