/**
 * The Probe view's forms: what the user typed (all text, as inputs hold it) and the requests
 * built from it. The checks are the backend's own (shared/probe-request.ts), so a form shows
 * exactly the error the backend would give, before anything is sent.
 */
import {
  PROBE_LIMITS,
  type AddressChoice,
  type DnsRecordType,
  type HolderOpenRequest,
  type ListenerMode,
  type PayloadSpec,
  type RepeatedProbeRequest,
  type TcpProbeRequest,
  type TestListenerRequest,
  type TlsProbeRequest,
  type UdpProbeRequest
} from '../../shared/model/probe'
import { checkHolderOpen, checkListener, checkRepeatedProbe, checkTcpProbe, checkTlsProbe, checkUdpProbe, type Checked } from '../../shared/probe-request'
import { parseHostPort } from '../../shared/probe-target'
import { errorMessage } from '../../shared/error-message'

/** A payload as typed into a form. */
export interface PayloadForm {
  encoding: 'text' | 'hex'
  value: string
  escapes: boolean
}

/** The one-shot TCP form. */
export interface TcpForm {
  target: string
  addressChoice: AddressChoice
  timeoutMs: string
  send: boolean
  payload: PayloadForm
  readLimitBytes: string
  readTimeoutMs: string
}

/** The repeated-probe form. */
export interface RepeatForm {
  target: string
  intervalMs: string
  count: string
  untilStopped: boolean
  timeoutMs: string
}

/** The TLS form; the CA file's text is read by the form and kept here. */
export interface TlsForm {
  target: string
  servername: string
  alpn: string
  caPem: string | null
  caFileName: string
  insecure: boolean
  timeoutMs: string
}

/** The UDP form. */
export interface UdpForm {
  target: string
  send: 'payload' | 'dns'
  payload: PayloadForm
  dnsName: string
  dnsType: DnsRecordType
  timeoutMs: string
  maxReplies: string
}

/** The test-listener form. */
export interface ListenerForm {
  protocol: 'tcp' | 'udp'
  address: string
  port: string
  mode: ListenerMode
  reply: PayloadForm
}

/** The connection-holder form. */
export interface HolderForm {
  target: string
  count: string
  allowNonLoopback: boolean
}

/** A request built from a form, or the message to show under it. */
export type FormResult<T> = { readonly ok: true; readonly request: T } | { readonly ok: false; readonly error: string }

/** Fresh forms with the defaults. */
export function defaultForms() {
  const payload = (): PayloadForm => ({ encoding: 'text', value: '', escapes: true })
  return {
    tcp: { target: '', addressChoice: 'first', timeoutMs: '', send: false, payload: payload(), readLimitBytes: '', readTimeoutMs: '' } as TcpForm,
    repeat: { target: '', intervalMs: String(PROBE_LIMITS.intervalMs.default), count: String(PROBE_LIMITS.repeatCount.default), untilStopped: false, timeoutMs: '' } as RepeatForm,
    tls: { target: '', servername: '', alpn: 'h2, http/1.1', caPem: null, caFileName: '', insecure: false, timeoutMs: '' } as TlsForm,
    udp: { target: '', send: 'payload', payload: payload(), dnsName: 'example.com', dnsType: 'A', timeoutMs: '', maxReplies: '' } as UdpForm,
    listener: { protocol: 'tcp', address: '127.0.0.1', port: '0', mode: 'echo', reply: payload() } as ListenerForm,
    holder: { target: '', count: String(PROBE_LIMITS.holderCount.default), allowNonLoopback: false } as HolderForm
  }
}

/**
 * Validates a form, then runs the call; `showError` gets the first problem either step reports,
 * or null when there was none. Resolves with the call's answer, or null when it did not run or failed.
 */
export async function submitForm<T, R>(built: FormResult<T>, call: (request: T) => Promise<R>, showError: (message: string | null) => void): Promise<R | null> {
  if (!built.ok) {
    showError(built.error)
    return null
  }
  showError(null)
  try {
    return await call(built.request)
  } catch (error) {
    showError(errorMessage(error))
    return null
  }
}

/** Thrown inside the builders; turned into a form message. */
class FormError extends Error {}

/** An optional whole-number field: empty means "use the default". */
function optionalNumber(text: string, label: string): number | undefined {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  if (!/^-?\d+$/.test(trimmed)) throw new FormError(`The ${label} must be a whole number.`)
  return Number(trimmed)
}

function target(text: string): { host: string; port: number } {
  const parsed = parseHostPort(text)
  if (!parsed.ok) throw new FormError(parsed.error)
  return parsed.value
}

function payloadSpec(form: PayloadForm): PayloadSpec {
  return form.encoding === 'hex' ? { encoding: 'hex', value: form.value } : { encoding: 'text', value: form.value, escapes: form.escapes }
}

/** Run a builder and the backend's check of what it built. */
function build<T>(make: () => T, checkRequest: (request: T) => Checked<unknown>): FormResult<T> {
  try {
    const request = make()
    const checked = checkRequest(request)
    return checked.ok ? { ok: true, request } : { ok: false, error: checked.error.message }
  } catch (error) {
    if (error instanceof FormError) return { ok: false, error: error.message }
    throw error
  }
}

/** The TCP probe request, or what to fix. */
export function tcpRequest(form: TcpForm): FormResult<TcpProbeRequest> {
  return build(
    () => ({
      ...target(form.target),
      addressChoice: form.addressChoice,
      timeoutMs: optionalNumber(form.timeoutMs, 'time limit'),
      payload: form.send ? payloadSpec(form.payload) : null,
      readLimitBytes: form.send ? optionalNumber(form.readLimitBytes, 'read limit') : undefined,
      readTimeoutMs: form.send ? optionalNumber(form.readTimeoutMs, 'first-byte time limit') : undefined
    }),
    checkTcpProbe
  )
}

/** The repeated probe request, or what to fix. */
export function repeatRequest(form: RepeatForm): FormResult<RepeatedProbeRequest> {
  return build(
    () => ({
      ...target(form.target),
      intervalMs: optionalNumber(form.intervalMs, 'interval'),
      count: form.untilStopped ? null : (optionalNumber(form.count, 'count') ?? PROBE_LIMITS.repeatCount.default),
      timeoutMs: optionalNumber(form.timeoutMs, 'time limit')
    }),
    checkRepeatedProbe
  )
}

/** The TLS probe request, or what to fix. */
export function tlsRequest(form: TlsForm): FormResult<TlsProbeRequest> {
  return build(
    () => ({
      ...target(form.target),
      servername: form.servername.trim() === '' ? null : form.servername.trim(),
      alpnProtocols: form.alpn.trim() === '' ? [] : form.alpn.split(',').map((protocol) => protocol.trim()),
      caPem: form.caPem,
      caSource: form.caPem === null ? null : form.caFileName,
      insecure: form.insecure,
      timeoutMs: optionalNumber(form.timeoutMs, 'time limit')
    }),
    checkTlsProbe
  )
}

/** The UDP probe request, or what to fix. */
export function udpRequest(form: UdpForm): FormResult<UdpProbeRequest> {
  return build(
    () => ({
      ...target(form.target),
      payload: form.send === 'payload' ? payloadSpec(form.payload) : null,
      dnsQuery: form.send === 'dns' ? { name: form.dnsName.trim(), type: form.dnsType } : null,
      timeoutMs: optionalNumber(form.timeoutMs, 'wait time'),
      maxReplies: optionalNumber(form.maxReplies, 'reply limit') ?? (form.send === 'dns' ? 1 : undefined)
    }),
    checkUdpProbe
  )
}

/** The listener request, or what to fix. */
export function listenerRequest(form: ListenerForm): FormResult<TestListenerRequest> {
  return build(
    () => ({
      protocol: form.protocol,
      address: form.address.trim(),
      port: optionalNumber(form.port, 'port') ?? 0,
      mode: form.mode,
      reply: form.mode === 'reply' ? payloadSpec(form.reply) : null
    }),
    checkListener
  )
}

/** The holder request, or what to fix. */
export function holderRequest(form: HolderForm): FormResult<HolderOpenRequest> {
  return build(
    () => ({
      ...target(form.target),
      count: optionalNumber(form.count, 'connection count') ?? PROBE_LIMITS.holderCount.default,
      allowNonLoopback: form.allowNonLoopback
    }),
    checkHolderOpen
  )
}
