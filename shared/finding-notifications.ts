/**
 * Turns newly appeared findings into desktop notifications, at most one per interval: findings
 * that appear in between wait and are summed up in the next one. Used by the renderer (browser
 * Notification API) and by the desktop shell (native notifications) alike.
 */
import type { Finding } from './model/finding'
import type { LeakSettings } from './leak-settings'

/** A notification to show. */
export interface FindingNotification {
  readonly title: string
  readonly body: string
  /** The findings it is about, newest last. */
  readonly findingIds: readonly string[]
}

/** The settings the throttle reads. */
export type NotificationSettings = Pick<LeakSettings, 'notify' | 'notifyMinimumIntervalSeconds'>

/** Holds findings back so notifications stay rare. */
export class FindingNotificationThrottle {
  private lastShownAt = -Infinity
  private waiting = new Map<string, Finding>()

  /**
   * Adds newly appeared findings (none is fine: it just checks whether held ones may go out)
   * and returns the notification to show now, if any. With notifications off, everything is dropped.
   */
  offer(appeared: readonly Finding[], now: number, settings: NotificationSettings): FindingNotification | null {
    if (!settings.notify) {
      this.waiting.clear()
      return null
    }
    for (const finding of appeared) this.waiting.set(finding.id, finding)
    if (this.waiting.size === 0 || now - this.lastShownAt < settings.notifyMinimumIntervalSeconds * 1000) return null
    const findings = [...this.waiting.values()]
    this.waiting.clear()
    this.lastShownAt = now
    return describe(findings)
  }

  /** True when findings are waiting for the interval to pass. */
  hasWaiting(): boolean {
    return this.waiting.size > 0
  }

  /** Forgets a finding that cleared before its notification went out. */
  withdraw(findingIds: readonly string[]): void {
    for (const id of findingIds) this.waiting.delete(id)
  }
}

function describe(findings: readonly Finding[]): FindingNotification {
  const findingIds = findings.map((finding) => finding.id)
  const [finding, ...others] = findings
  if (finding && others.length === 0) {
    return { title: finding.title, body: firstSentence(finding.explanation), findingIds }
  }
  const lines = findings.slice(0, 4).map((finding) => `• ${finding.title}`)
  if (findings.length > 4) lines.push(`• and ${findings.length - 4} more`)
  return { title: `sockscope: ${findings.length} new findings`, body: lines.join('\n'), findingIds }
}

function firstSentence(text: string): string {
  const end = text.search(/\.\s/)
  return end > 0 ? text.slice(0, end + 1) : text
}
