// @vitest-environment happy-dom
/**
 * The tab strip follows the WAI-ARIA tabs pattern: a tablist of tabs with aria-selected, one tab
 * stop (the selected tab), arrow keys that select and focus the neighbour (wrapping round), Home
 * and End; each tab carries its id in the attribute the app's views and tests select it by.
 */
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import TabStrip from '../../../renderer/src/components/TabStrip.vue'

const tabs = [
  { id: 'sockets', title: 'Sockets' },
  { id: 'capture', title: 'Capture' },
  { id: 'probe', title: 'Probe' }
] as const

/** The strip with its selection held the way a store holds it, so key presses take effect. */
function mountStrip(initial: string) {
  const active = ref(initial)
  const Host = defineComponent(() => () => h(TabStrip, { tabs, active: active.value, label: 'Views', idAttribute: 'data-view', onSelect: (id: string) => (active.value = id) }))
  const wrapper = mount(Host, { attachTo: document.body })
  return { wrapper, active }
}

function tabOf(wrapper: ReturnType<typeof mountStrip>['wrapper'], id: string) {
  return wrapper.get(`[role="tab"][data-view="${id}"]`)
}

describe('TabStrip', () => {
  it('is a labelled tablist whose selected tab is the only tab stop', () => {
    const { wrapper } = mountStrip('capture')
    const list = wrapper.get('[role="tablist"]')
    expect(list.attributes('aria-label')).toBe('Views')
    expect(wrapper.findAll('[role="tab"]').map((tab) => [tab.text(), tab.attributes('aria-selected'), tab.attributes('tabindex')])).toEqual([
      ['Sockets', 'false', '-1'],
      ['Capture', 'true', '0'],
      ['Probe', 'false', '-1']
    ])
    expect(tabOf(wrapper, 'capture').classes()).toContain('active')
    expect(wrapper.findAll('.tab.active')).toHaveLength(1)
    wrapper.unmount()
  })

  it('selects a clicked tab', async () => {
    const { wrapper, active } = mountStrip('sockets')
    await tabOf(wrapper, 'probe').trigger('click')
    expect(active.value).toBe('probe')
    expect(tabOf(wrapper, 'probe').attributes('aria-selected')).toBe('true')
    wrapper.unmount()
  })

  it('moves with the arrow keys, wrapping round, and focuses the tab it selects', async () => {
    const { wrapper, active } = mountStrip('sockets')
    const press = async (key: string) => {
      await wrapper.get('[role="tablist"]').trigger('keydown', { key })
      await new Promise((resolve) => setTimeout(resolve, 0))
    }
    await press('ArrowRight')
    expect(active.value).toBe('capture')
    expect(document.activeElement).toBe(tabOf(wrapper, 'capture').element)
    await press('ArrowRight')
    await press('ArrowRight')
    expect(active.value).toBe('sockets')
    await press('ArrowLeft')
    expect(active.value).toBe('probe')
    expect(document.activeElement).toBe(tabOf(wrapper, 'probe').element)
    await press('Home')
    expect(active.value).toBe('sockets')
    await press('End')
    expect(active.value).toBe('probe')
    await press('ArrowDown')
    expect(active.value).toBe('probe')
    wrapper.unmount()
  })

  it('names each tab in data-tab unless told which attribute to use', () => {
    const wrapper = mount(TabStrip, { props: { tabs, active: 'probe', label: 'Kinds' } })
    expect(wrapper.findAll('[role="tab"]').map((tab) => tab.attributes('data-tab'))).toEqual(['sockets', 'capture', 'probe'])
  })
})
