// @vitest-environment happy-dom
/** The filter box's error line: the faulty part of a long query is shown with a little context, not the whole query. */
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import FilterBox from '../../../renderer/src/components/FilterBox.vue'
import { MAXIMUM_QUERY_NESTING } from '../../../shared/query/query-parser'
import { compileSocketFilter } from '../../../shared/query/socket-fields'

function errorOf(text: string) {
  const compiled = compileSocketFilter(text)
  if (compiled.ok) throw new Error(`"${text}" compiled`)
  return compiled.error
}

describe('FilterBox', () => {
  it('clips a long query around the mistake so the message stays readable', () => {
    const text = `${'x'.repeat(3000)} port:99999 ${'y'.repeat(3000)}`
    const box = mount(FilterBox, { props: { modelValue: text, error: errorOf(text) } })
    const query = box.get('.filter-error-query').text()
    expect(query.length).toBeLessThan(120)
    expect(box.get('.filter-error-query mark').text()).toBe('99999')
    expect(query.startsWith('…')).toBe(true)
    expect(query.endsWith('…')).toBe(true)
    expect(box.get('[data-testid="filter-error"]').text()).toContain('port must be 0–65535')
  })

  it('marks the opener that nests too deep in a query of ten thousand "("', () => {
    const text = '('.repeat(10_000) + 'port:80' + ')'.repeat(10_000)
    const box = mount(FilterBox, { props: { modelValue: text, error: errorOf(text) } })
    expect(box.get('[data-testid="filter-error"]').text()).toContain(`nested too deeply at ${MAXIMUM_QUERY_NESTING + 1}`)
    expect(box.get('.filter-error-query mark').text()).toBe('(')
    expect(box.get('.filter-error-query').text().length).toBeLessThan(120)
  })

  it('shows a short query whole', () => {
    const box = mount(FilterBox, { props: { modelValue: 'state:', error: errorOf('state:') } })
    expect(box.get('.filter-error-query').text()).toBe('state:')
  })
})
