/**
 * The native confirmation the desktop app shows before it closes a connection or stops a
 * process. It lives outside the page, so a compromised page cannot answer it, and it names the
 * target as the backend's own table has it, not as the page described it. Plain functions: the
 * shell shows the options and maps the click back.
 */
import type { MessageBoxOptions } from 'electron'
import { STOP_GRACE_SECONDS, type SystemActionQuestion } from '../backend'
import { actionConfirmationText } from '../../shared/format/action-text'

/** Button order: Cancel first, so Escape and a stray Enter refuse. */
const CANCEL_BUTTON = 0
const CONFIRM_BUTTON = 1

/** The dialog's options for a question. */
export function systemActionDialogOptions(question: SystemActionQuestion): MessageBoxOptions {
  const text = actionConfirmationText(question, STOP_GRACE_SECONDS)
  return {
    type: 'warning',
    title: 'sockscope: confirm',
    message: text.title,
    detail: text.detail,
    buttons: ['Cancel', text.confirmLabel],
    defaultId: CANCEL_BUTTON,
    cancelId: CANCEL_BUTTON,
    noLink: true
  }
}

/** Whether a click goes ahead: only the confirm button does. */
export function systemActionConfirmed(response: number): boolean {
  return response === CONFIRM_BUTTON
}
