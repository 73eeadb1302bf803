/**
 * The native question the desktop app asks before a probe, the holder or a listener uses a
 * target beyond this machine. It lives outside the page, so a compromised page cannot answer it.
 * Plain functions: the shell shows the options and maps the click back.
 */
import type { MessageBoxOptions } from 'electron'
import { remoteTargetText, type RemoteTargetAnswer, type RemoteTargetQuestion } from '../backend'
import { formatHostPort } from '../../shared/format/socket-text'

/** Button order: Cancel first, so Escape and a stray Enter refuse. */
const CANCEL_BUTTON = 0
const ALLOW_BUTTON = 1

function where(question: RemoteTargetQuestion): string {
  return remoteTargetText(question.host, question.remoteAddresses, question.port)
}

function wording(question: RemoteTargetQuestion): { readonly message: string; readonly detail: string; readonly remember: string } {
  const addresses = question.remoteAddresses.join(', ')
  switch (question.action) {
    case 'listener':
      return {
        message: `Listen on ${formatHostPort(question.host, question.port)}?`,
        detail: 'Other machines that can reach this one will be able to connect to the test listener.',
        remember: `Allow listeners on ${addresses} until sockscope quits`
      }
    case 'holder':
      return {
        message: `Hold ${question.count} connection${question.count === 1 ? '' : 's'} to ${where(question)}?`,
        detail: 'That machine is not this one. Holding many connections to it can look like an attack; only go ahead for a server you own or may test.',
        remember: `Allow holding connections to ${addresses} until sockscope quits`
      }
    default:
      return {
        message: `Probe ${where(question)}?`,
        detail: 'That machine is not this one. sockscope will connect to it from this machine.',
        remember: `Allow probes of ${addresses} until sockscope quits`
      }
  }
}

/** The dialog's options for a question. */
export function remoteTargetDialogOptions(question: RemoteTargetQuestion): MessageBoxOptions {
  const text = wording(question)
  return {
    type: 'warning',
    title: 'sockscope: another machine',
    message: text.message,
    detail: text.detail,
    buttons: ['Cancel', 'Allow'],
    defaultId: CANCEL_BUTTON,
    cancelId: CANCEL_BUTTON,
    checkboxLabel: text.remember,
    checkboxChecked: false,
    noLink: true
  }
}

/** The answer a click means: only the Allow button allows, and the box widens it to "until quit". */
export function remoteTargetAnswer(response: number, checkboxChecked: boolean): RemoteTargetAnswer {
  if (response !== ALLOW_BUTTON) return 'refuse'
  return checkboxChecked ? 'until-quit' : 'once'
}
