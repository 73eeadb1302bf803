// @vitest-environment happy-dom
/**
 * The socket table, its column picker and the details pane read the socket field table: every
 * field can be a column showing its canonical text, and every field that applies is a details line.
 */
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import ColumnPicker from '../../../renderer/src/components/ColumnPicker.vue'
import SocketDetails from '../../../renderer/src/components/SocketDetails.vue'
import SocketTable from '../../../renderer/src/components/SocketTable.vue'
import { useSocketsStore } from '../../../renderer/src/stores/sockets'
import { DEFAULT_TABLE_COLUMNS, SOCKET_FIELDS, socketAsText, socketField, type SocketFieldKey } from '../../../shared/socket-field-table'
import { socketSamples } from '../../support/socket-builder'
import { elementAt } from '../../../shared/element-at'

const samples = socketSamples()
const rows = samples.map((socket) => ({ socket, mark: null, markedAt: 0 }))
const nameFor = (address: string) => (address === '::1' ? 'localhost' : null)

function mountTable(columns?: readonly string[]) {
  return mount(SocketTable, {
    props: { rows, sortKey: 'localPort', sortDescending: false, selectedId: null, nameFor, ...(columns ? { columns: columns as never } : {}) },
    attachTo: document.body
  })
}

beforeEach(() => setActivePinia(createPinia()))

describe('SocketTable', () => {
  it('shows every field as a column with its title and canonical text', () => {
    const table = mountTable(SOCKET_FIELDS.map((field) => field.key))
    const headers = table.findAll('[role="columnheader"]')
    expect(headers.map((header) => header.attributes('data-sort'))).toEqual(SOCKET_FIELDS.map((field) => field.key))
    expect(headers.map((header) => header.text().replace(/[▲▼]$/, ''))).toEqual(SOCKET_FIELDS.map((field) => field.title))
    const rendered = table.findAll('.socket-row[data-socket-id]')
    expect(rendered).toHaveLength(samples.length)
    rendered.forEach((row, index) => {
      const socket = elementAt(samples, index)
      expect(row.findAll('[role="gridcell"]').map((cell) => cell.text())).toEqual(SOCKET_FIELDS.map((field) => field.text(socket, { nameFor })))
    })
  })

  it('uses the default columns, sized from the width hints, and sorts on the header clicked', async () => {
    const table = mountTable()
    expect(table.findAll('[role="columnheader"]').map((header) => header.attributes('data-sort'))).toEqual(DEFAULT_TABLE_COLUMNS)
    const style = (table.element as HTMLElement).style
    expect(style.getPropertyValue('--socket-columns').split(/ (?![^(]*\))/)).toHaveLength(DEFAULT_TABLE_COLUMNS.length)
    const minimum = DEFAULT_TABLE_COLUMNS.reduce((sum, key) => sum + socketField(key).minWidthPx, 0)
    expect(style.getPropertyValue('--socket-columns-width')).toBe(`${minimum}px`)
    expect(table.get('[data-sort="localPort"]').attributes('title')).toBe('Local port (filter: lport:22)')
    await table.get('[data-sort="inode"]').trigger('click')
    expect(table.emitted('sort')).toEqual([['inode']])
  })

  it('shows a resolved remote name and greys out blanks', () => {
    const table = mountTable()
    const connection = elementAt(table.findAll('.socket-row[data-socket-id]'), 1)
    expect(connection.get('[data-field="remoteAddress"]').text()).toBe('localhost (::1)')
    const timeWait = elementAt(table.findAll('.socket-row[data-socket-id]'), 5)
    expect(timeWait.get('[data-field="process"]').classes()).toContain('muted')
    expect(connection.get('[data-field="process"]').classes()).not.toContain('muted')
  })
})

describe('column picker', () => {
  it('offers every field and adds or removes columns in the field table order', async () => {
    const store = useSocketsStore()
    const picker = mount(ColumnPicker, { props: { columns: store.columns, onToggle: (key: SocketFieldKey) => store.toggleColumn(key) } })
    expect(picker.findAll('input[type="checkbox"]')).toHaveLength(SOCKET_FIELDS.length)
    await picker.get('[data-column="pid"]').trigger('change')
    // Where the field table puts it: right before the process, which follows it in the table.
    expect(store.columns.filter((key) => key !== 'pid')).toEqual(DEFAULT_TABLE_COLUMNS)
    expect(store.columns.indexOf('pid')).toBe(store.columns.indexOf('process') - 1)
    store.toggleColumn('pid')
    expect(store.columns).toEqual(DEFAULT_TABLE_COLUMNS)
  })

  it('keeps the last column', () => {
    const store = useSocketsStore()
    for (const key of DEFAULT_TABLE_COLUMNS) store.toggleColumn(key)
    const last = elementAt(DEFAULT_TABLE_COLUMNS, DEFAULT_TABLE_COLUMNS.length - 1)
    expect(store.columns).toEqual([last])
    const picker = mount(ColumnPicker, { props: { columns: store.columns } })
    expect(picker.get(`[data-column="${last}"]`).attributes('disabled')).toBeDefined()
    expect(picker.get('[data-column="protocol"]').attributes('disabled')).toBeUndefined()
  })
})

describe('SocketDetails', () => {
  it('lists every field that applies, the remote name after the address, and copies the same text', async () => {
    const writeText = vi.fn(async () => undefined)
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    for (const socket of samples) {
      const details = mount(SocketDetails, { props: { row: { socket, mark: null, markedAt: 0 }, remoteName: socket.family === 6 ? 'localhost' : null } })
      const labels = details.findAll('dt').map((label) => label.text())
      const applying = SOCKET_FIELDS.filter((field) => field.appliesTo(socket)).map((field) => field.label)
      if (socket.family === 6) {
        const remote = applying.indexOf('Remote address')
        expect(labels).toEqual([...applying.slice(0, remote + 1), 'Remote name', ...applying.slice(remote + 1)])
        expect(elementAt(details.findAll('dd'), remote + 1).text()).toBe('localhost')
      } else {
        expect(labels).toEqual(applying)
      }
      await details.get('[data-testid="copy-as-text"]').trigger('click')
      expect(writeText).toHaveBeenLastCalledWith(socketAsText(socket))
    }
  })
})
