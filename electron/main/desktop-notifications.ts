/**
 * Finding notifications for the desktop shell: follows the backend's `leaks/findings` events
 * and calls `show` with at most one notification per interval, honouring the user's settings.
 * The shell passes a function that shows an Electron Notification; nothing here imports electron,
 * so it runs in plain Node tests.
 */
import type { EventPayload } from '../../shared/contract'
import type { Finding } from '../../shared/model/finding'
import type { LeakSettings } from '../../shared/leak-settings'
import { FindingNotificationThrottle, type FindingNotification } from '../../shared/finding-notifications'
import type { Backend } from '../backend'

/** Starts following findings; returns the function that stops it. */
export function followFindingNotifications(backend: Pick<Backend, 'handle' | 'subscribe'>, show: (notification: FindingNotification) => void): () => void {
  const throttle = new FindingNotificationThrottle()
  const offer = async (appeared: readonly Finding[]): Promise<void> => {
    const answer = await backend.handle('leaks/settings', {})
    if (!answer.ok) return
    const notification = throttle.offer(appeared, Date.now(), answer.value as LeakSettings)
    if (notification) show(notification)
  }
  return backend.subscribe((event, payload) => {
    if (event === 'leaks/findings') {
      const update = payload as EventPayload<'leaks/findings'>
      throttle.withdraw(update.cleared.map((finding) => finding.id))
      void offer(update.appeared)
    } else if (event === 'history/tick' && throttle.hasWaiting()) {
      // Findings held back by the interval go out once it has passed.
      void offer([])
    }
  })
}
