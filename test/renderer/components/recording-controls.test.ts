// @vitest-environment happy-dom
/** The recording panel says where recordings are saved, and why a recording stopped on its own. */
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import RecordingControls from '../../../renderer/src/components/history/RecordingControls.vue'
import { useRecordingStore } from '../../../renderer/src/stores/recording'
import type { RecordingStatus } from '../../../shared/model/recording'

const idle: RecordingStatus = {
  recording: false,
  name: null,
  path: null,
  folder: '/home/tester/.local/state/sockscope/recordings',
  problem: null,
  startedAt: null,
  ticks: 0,
  opened: null
}

beforeEach(() => {
  setActivePinia(createPinia())
})

describe('RecordingControls', () => {
  it('shows the recordings folder from the status', async () => {
    const store = useRecordingStore()
    const panel = mount(RecordingControls)
    expect(panel.find('[data-testid="recording-folder"]').exists()).toBe(false)
    store.status = idle
    await panel.vm.$nextTick()
    expect(panel.get('[data-testid="recording-folder"]').text()).toBe('Saved in /home/tester/.local/state/sockscope/recordings')
    expect(panel.find('[data-testid="recording-problem"]').exists()).toBe(false)
  })

  it('says why the last recording stopped by itself', async () => {
    const store = useRecordingStore()
    store.status = { ...idle, problem: 'the recording stopped: cannot write /x/full.sockscope.gz: ENOSPC: no space left on device' }
    const panel = mount(RecordingControls)
    expect(panel.get('[data-testid="recording-problem"]').text()).toContain('ENOSPC: no space left on device')
    expect(panel.get('[data-testid="recording-problem"]').attributes('role')).toBe('alert')
  })
})
