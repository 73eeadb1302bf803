/**
 * Which targets the backend's clients may aim probes, the connection holder and test listeners at.
 *
 * sockscope often runs as root, and web mode hands the backend to any page that holds the token,
 * so reaching another machine is the host's decision, made when it creates the backend, never the
 * client's: `serve` denies it unless started with --allow-remote-targets, and the desktop app asks
 * its user in a native dialog. Loopback targets are always allowed. The CLI's own `probe` and
 * `listen` commands do not go through the backend: they run as the user typed them.
 */
import type { ProbeError, ProbePhase, ProbePolicy } from '../../shared/model/probe'
import { invalidInput } from '../../shared/probe-request'
import { isLoopbackAddress } from '../../shared/probe-target'
import { formatHostPort } from '../../shared/format/socket-text'
import { QuestionQueue } from '../../shared/question-queue'

/** The actions a client can aim at a target. */
export type GuardedAction = 'tcp-probe' | 'tls-probe' | 'udp-probe' | 'repeated-probe' | 'holder' | 'listener'

/** What an action is about to use, after its host name has been resolved and before anything is sent or bound. */
export interface ActionTarget {
  readonly action: GuardedAction
  /** The host as the client gave it (a name or an address); a listener's bind address. */
  readonly host: string
  /** Every address the action will connect to or bind. */
  readonly addresses: readonly string[]
  readonly port: number
  /** Connections the holder will open; 1 for everything else. */
  readonly count?: number
  /** The client confirmed the target in its form (the holder's "I own this target"). */
  readonly clientConfirmed?: boolean
}

/** Decides whether an action may go ahead: null when it may, else the refusal to report. */
export type TargetAuthorizer = (target: ActionTarget) => Promise<ProbeError | null>

/** What the desktop app asks its user about: an action and the addresses beyond this machine it would use. */
export interface RemoteTargetQuestion {
  readonly action: GuardedAction
  readonly host: string
  readonly remoteAddresses: readonly string[]
  readonly port: number
  readonly count: number
}

/** The user's answer: go ahead this once, allow these addresses for this kind of action until quit, or not. */
export type RemoteTargetAnswer = 'once' | 'until-quit' | 'refuse'

/** The host's rule for targets beyond this machine. */
export type ActionPolicy =
  | { readonly remoteTargets: 'allow' }
  | {
      readonly remoteTargets: 'deny'
      /** A sentence telling the person running sockscope how to allow more (e.g. the `serve` flag). */
      readonly howToAllow: string | null
    }
  | {
      readonly remoteTargets: 'ask'
      /** Asks the user; the host provides it (a native dialog). A rejection counts as a refusal. */
      readonly ask: (question: RemoteTargetQuestion) => Promise<RemoteTargetAnswer>
    }

/** The policy of a backend whose host chose none: loopback only. */
export const LOOPBACK_ONLY_POLICY: ActionPolicy = { remoteTargets: 'deny', howToAllow: null }

/** Questions that may wait for the user at once; more are refused instead of stacking dialogs. */
export const MAXIMUM_WAITING_QUESTIONS = 4

/** Authorizes targets against one policy, asking one question at a time and remembering "until quit" answers. */
export class RemoteTargetGate {
  private readonly approved = new Set<string>()
  private readonly questions = new QuestionQueue(MAXIMUM_WAITING_QUESTIONS)

  constructor(private readonly policy: ActionPolicy) {}

  /** The policy as clients see it. */
  view(): ProbePolicy {
    return {
      remoteTargets: this.policy.remoteTargets,
      howToAllow: this.policy.remoteTargets === 'deny' ? this.policy.howToAllow : null
    }
  }

  /** The authorizer to hand to probes, the holder and listeners. */
  readonly authorize: TargetAuthorizer = async (target) => {
    const remote = target.addresses.filter((address) => !isLoopbackAddress(address))
    if (remote.length === 0) return null
    switch (this.policy.remoteTargets) {
      case 'allow':
        // Even when allowed, holding many connections to another machine needs the client's own confirmation.
        return target.action === 'holder' && target.clientConfirmed !== true ? needsConfirmation(target, remote) : null
      case 'deny': {
        const howToAllow = this.policy.howToAllow === null ? '' : ` ${this.policy.howToAllow}`
        return notAllowed(target, 'remote-targets-off', `${remoteTargetsOff(target, remote)}${howToAllow}`)
      }
      case 'ask':
        return this.askUser(target, remote, this.policy.ask)
    }
  }

  private async askUser(target: ActionTarget, remote: readonly string[], ask: (question: RemoteTargetQuestion) => Promise<RemoteTargetAnswer>): Promise<ProbeError | null> {
    const keys = remote.map((address) => approvalKey(target.action, address))
    const isApproved = () => keys.every((key) => this.approved.has(key))
    if (isApproved()) return null
    // One dialog at a time; a question an earlier "until quit" answered while this one waited is not asked.
    const question: RemoteTargetQuestion = { action: target.action, host: target.host, remoteAddresses: remote, port: target.port, count: target.count ?? 1 }
    const decided = this.questions.run(async (): Promise<RemoteTargetAnswer> => {
      if (isApproved()) return 'once'
      const answer = await Promise.resolve()
        .then(() => ask(question))
        .catch((): RemoteTargetAnswer => 'refuse')
      if (answer === 'until-quit') for (const key of keys) this.approved.add(key)
      return answer
    })
    if (decided === null) {
      return notAllowed(target, 'too-many-questions', `${MAXIMUM_WAITING_QUESTIONS} questions about other machines are already waiting for an answer; answer them first.`)
    }
    const decision = await decided
    return decision === 'refuse' ? notAllowed(target, 'declined', `${describeAction(target, remote)} was declined.`) : null
  }
}

/** Approvals are per kind of action: allowing probes to an address does not allow holding connections to it. */
function approvalKey(action: GuardedAction, address: string): string {
  const scope = action === 'holder' || action === 'listener' ? action : 'probe'
  return `${scope} ${address}`
}

function phaseOf(action: GuardedAction): ProbePhase {
  return action === 'listener' ? 'listen' : 'connect'
}

function notAllowed(target: ActionTarget, detail: string, message: string): ProbeError {
  return { kind: 'not-allowed', phase: phaseOf(target.action), detail, code: null, message }
}

/** A target for people: `192.0.2.1:443`, or `example.com (93.184.216.34) port 443` when a name was given. */
export function remoteTargetText(host: string, remoteAddresses: readonly string[], port: number): string {
  const addresses = remoteAddresses.join(', ')
  return host === addresses ? formatHostPort(host, port) : `${host} (${addresses}) port ${port}`
}

const ACTION_TEXT: Readonly<Record<Exclude<GuardedAction, 'listener'>, string>> = {
  'tcp-probe': 'A TCP probe of',
  'tls-probe': 'A TLS probe of',
  'udp-probe': 'A UDP probe of',
  'repeated-probe': 'A repeated probe of',
  holder: 'Holding connections to'
}

/** The action in words, as a sentence subject: "Listening on 0.0.0.0:8080", "A TCP probe of ...". */
function describeAction(target: ActionTarget, remote: readonly string[]): string {
  if (target.action === 'listener') return `Listening on ${formatHostPort(target.host, target.port)}`
  return `${ACTION_TEXT[target.action]} ${remoteTargetText(target.host, remote, target.port)}`
}

function remoteTargetsOff(target: ActionTarget, remote: readonly string[]): string {
  if (target.action === 'listener') {
    return `A listener on ${target.host} would accept peers from other machines, and this sockscope listens on loopback addresses only (127.0.0.1, ::1).`
  }
  return `${remoteTargetText(target.host, remote, target.port)} is not on this machine, and this sockscope reaches loopback addresses only (127.0.0.0/8, ::1).`
}

function needsConfirmation(target: ActionTarget, remote: readonly string[]): ProbeError {
  return invalidInput(
    `"${target.host}" is ${remote.join(', ')}, not a loopback address. Holding many connections to another machine can look like an attack on it; confirm the target to go ahead.`,
    'needs-confirmation'
  )
}

/** Runs an authorizer when there is one; a run without one (the CLI's own commands) may use any target. */
export function authorizeTarget(authorize: TargetAuthorizer | undefined, target: ActionTarget): Promise<ProbeError | null> {
  return authorize === undefined ? Promise.resolve(null) : authorize(target)
}
