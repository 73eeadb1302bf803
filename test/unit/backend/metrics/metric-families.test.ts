/*
 * What sockscope exports, pinned on exact text for one small tick, and the bound on label
 * cardinality: the busiest `top` processes and destinations get series of their own, the rest
 * are one `other` series, so many processes cannot flood the server that scrapes.
 */
import { describe, expect, it } from 'vitest'
import { buildMetricFamilies, type MetricsInput, type ProcessSockets } from '../../../../electron/backend/metrics/metric-families'
import { renderExposition } from '../../../../electron/backend/metrics/exposition-text'
import type { EphemeralUse } from '../../../../shared/model/history'
import { buildSocket } from '../../../support/socket-builder'
import { buildFinding } from '../../../support/finding-builder'

function processSockets(pid: number, name: string, states: Record<string, number>): ProcessSockets {
  return { pid, name, states, sockets: Object.values(states).reduce((sum, count) => sum + count, 0) }
}

function ephemeralUse(remotePort: number, count: number): EphemeralUse {
  return { protocol: 'tcp', localAddress: '127.0.0.1', remoteAddress: '127.0.0.1', remotePort, count, pid: null, process: null }
}

function input(overrides: Partial<MetricsInput> = {}): MetricsInput {
  return {
    version: '1.2.3',
    sockets: [],
    processes: [],
    fileDescriptors: [],
    ephemeral: [],
    portRange: null,
    findings: [],
    refreshMs: 0,
    takenAt: 0,
    ...overrides
  }
}

/** The sample lines of one family. */
function samplesOf(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
}

describe('buildMetricFamilies', () => {
  it('renders one tick exactly, escaping a process name with a quote, a backslash and a line feed', () => {
    const odd = 'a"b\\c\nd'
    const text = renderExposition(
      buildMetricFamilies(
        input({
          sockets: [
            buildSocket({ state: 'LISTEN', inode: 1 }),
            buildSocket({ state: 'CLOSE_WAIT', inode: 2, localPort: 40_000, remotePort: 8080 }),
            buildSocket({ state: 'CLOSE_WAIT', inode: 3, localPort: 40_001, remotePort: 8080 }),
            buildSocket({ protocol: 'udp', state: 'UNCONN', inode: 4 }),
            buildSocket({ protocol: 'unix', family: null, state: 'ESTABLISHED', inode: 5 })
          ],
          processes: [processSockets(42, 'node', { LISTEN: 1, UNCONN: 1 }), processSockets(7, odd, { CLOSE_WAIT: 2, ESTABLISHED: 1 })],
          fileDescriptors: [
            { pid: 7, fdCount: 90, fdSoftLimit: 1024 },
            { pid: 42, fdCount: 12, fdSoftLimit: null }
          ],
          ephemeral: [ephemeralUse(8080, 2)],
          portRange: { low: 32_768, high: 60_999 },
          findings: [
            buildFinding({ id: 'close-wait:7', kind: 'close-wait', process: { pid: 7, name: odd } }),
            buildFinding({ id: 'time-wait:x', kind: 'time-wait', process: null })
          ],
          refreshMs: 25,
          takenAt: 1_700_000_000_500
        }),
        { topProcesses: 20, topDestinations: 20 }
      ),
      'openmetrics'
    )
    expect(text).toBe(
      [
        '# HELP sockscope_build_info The version of sockscope serving these metrics; always 1.',
        '# TYPE sockscope_build_info gauge',
        'sockscope_build_info{version="1.2.3"} 1',
        '# HELP sockscope_sockets Sockets in the table by protocol and state; every TCP state is listed.',
        '# TYPE sockscope_sockets gauge',
        'sockscope_sockets{protocol="tcp",state="CLOSE"} 0',
        'sockscope_sockets{protocol="tcp",state="CLOSE_WAIT"} 2',
        'sockscope_sockets{protocol="tcp",state="CLOSING"} 0',
        'sockscope_sockets{protocol="tcp",state="ESTABLISHED"} 0',
        'sockscope_sockets{protocol="tcp",state="FIN_WAIT1"} 0',
        'sockscope_sockets{protocol="tcp",state="FIN_WAIT2"} 0',
        'sockscope_sockets{protocol="tcp",state="LAST_ACK"} 0',
        'sockscope_sockets{protocol="tcp",state="LISTEN"} 1',
        'sockscope_sockets{protocol="tcp",state="NEW_SYN_RECV"} 0',
        'sockscope_sockets{protocol="tcp",state="SYN_RECV"} 0',
        'sockscope_sockets{protocol="tcp",state="SYN_SENT"} 0',
        'sockscope_sockets{protocol="tcp",state="TIME_WAIT"} 0',
        'sockscope_sockets{protocol="udp",state="UNCONN"} 1',
        'sockscope_sockets{protocol="unix",state="ESTABLISHED"} 1',
        '# HELP sockscope_process_sockets Sockets held by each of the busiest processes, by state; the rest summed as process other.',
        '# TYPE sockscope_process_sockets gauge',
        'sockscope_process_sockets{process="a\\"b\\\\c\\nd",pid="7",state="CLOSE_WAIT"} 2',
        'sockscope_process_sockets{process="a\\"b\\\\c\\nd",pid="7",state="ESTABLISHED"} 1',
        'sockscope_process_sockets{process="node",pid="42",state="LISTEN"} 1',
        'sockscope_process_sockets{process="node",pid="42",state="UNCONN"} 1',
        '# HELP sockscope_process_open_fds Open file descriptors of each of the busiest processes (sockets and everything else).',
        '# TYPE sockscope_process_open_fds gauge',
        'sockscope_process_open_fds{process="a\\"b\\\\c\\nd",pid="7"} 90',
        'sockscope_process_open_fds{process="node",pid="42"} 12',
        '# HELP sockscope_process_fd_soft_limit Soft limit on open files (RLIMIT_NOFILE) of each of the busiest processes; absent when unlimited or unknown.',
        '# TYPE sockscope_process_fd_soft_limit gauge',
        'sockscope_process_fd_soft_limit{process="a\\"b\\\\c\\nd",pid="7"} 1024',
        '# HELP sockscope_ephemeral_ports Local ports from the ephemeral range in use per destination, the busiest ones; the rest summed as destination other.',
        '# TYPE sockscope_ephemeral_ports gauge',
        'sockscope_ephemeral_ports{protocol="tcp",local_address="127.0.0.1",destination="127.0.0.1:8080"} 2',
        '# HELP sockscope_ephemeral_port_range_size Ports in the range the kernel picks ephemeral ports from (ip_local_port_range).',
        '# TYPE sockscope_ephemeral_port_range_size gauge',
        'sockscope_ephemeral_port_range_size 28232',
        '# HELP sockscope_finding Findings of the leak detector that hold now, by kind and process name.',
        '# TYPE sockscope_finding gauge',
        'sockscope_finding{kind="close-wait",process="a\\"b\\\\c\\nd"} 1',
        'sockscope_finding{kind="time-wait",process=""} 1',
        '# HELP sockscope_refresh_duration_seconds How long the last read of the socket tables took.',
        '# TYPE sockscope_refresh_duration_seconds gauge',
        '# UNIT sockscope_refresh_duration_seconds seconds',
        'sockscope_refresh_duration_seconds 0.025',
        '# HELP sockscope_last_refresh_timestamp_seconds When the socket tables were last read, seconds since the epoch.',
        '# TYPE sockscope_last_refresh_timestamp_seconds gauge',
        '# UNIT sockscope_last_refresh_timestamp_seconds seconds',
        'sockscope_last_refresh_timestamp_seconds 1700000000.5',
        '# EOF',
        ''
      ].join('\n')
    )
  })

  it('gives the top N processes series of their own: N processes make N and no other, one more makes N plus other', () => {
    const processes = [5, 4, 3, 2, 1].map((count, index) => processSockets(100 + index, `p${index}`, { ESTABLISHED: count }))
    const render = (top: number) => renderExposition(buildMetricFamilies(input({ processes }), { topProcesses: top, topDestinations: 20 }), 'prometheus')

    // Just inside: as many processes as the bound.
    expect(samplesOf(render(5), 'sockscope_process_sockets')).toHaveLength(5)
    expect(render(5)).not.toContain('process="other"')
    // Just outside: one process too many; the quietest goes into other.
    expect(samplesOf(render(4), 'sockscope_process_sockets')).toEqual([
      'sockscope_process_sockets{process="p0",pid="100",state="ESTABLISHED"} 5',
      'sockscope_process_sockets{process="p1",pid="101",state="ESTABLISHED"} 4',
      'sockscope_process_sockets{process="p2",pid="102",state="ESTABLISHED"} 3',
      'sockscope_process_sockets{process="p3",pid="103",state="ESTABLISHED"} 2',
      'sockscope_process_sockets{process="other",state="ESTABLISHED"} 1'
    ])
    // N + 3 processes: N of their own, the three quietest summed by state.
    expect(samplesOf(render(2), 'sockscope_process_sockets')).toEqual([
      'sockscope_process_sockets{process="p0",pid="100",state="ESTABLISHED"} 5',
      'sockscope_process_sockets{process="p1",pid="101",state="ESTABLISHED"} 4',
      'sockscope_process_sockets{process="other",state="ESTABLISHED"} 6'
    ])
  })

  it('ranks processes by sockets whatever order they come in, ties by pid, and keeps fds for the shown ones only', () => {
    const processes = [processSockets(9, 'late', { LISTEN: 1 }), processSockets(3, 'busy', { ESTABLISHED: 3 }), processSockets(2, 'tie', { LISTEN: 1 })]
    const fileDescriptors = [9, 3, 2].map((pid) => ({ pid, fdCount: pid * 10, fdSoftLimit: 1024 }))
    const text = renderExposition(buildMetricFamilies(input({ processes, fileDescriptors }), { topProcesses: 2, topDestinations: 20 }), 'prometheus')
    expect(samplesOf(text, 'sockscope_process_open_fds')).toEqual(['sockscope_process_open_fds{process="busy",pid="3"} 30', 'sockscope_process_open_fds{process="tie",pid="2"} 20'])
    expect(samplesOf(text, 'sockscope_process_sockets').at(-1)).toBe('sockscope_process_sockets{process="other",state="LISTEN"} 1')
  })

  it('bounds ephemeral-port destinations the same way', () => {
    const ephemeral = [ephemeralUse(81, 1), ephemeralUse(80, 9), ephemeralUse(82, 5)]
    const render = (top: number) =>
      samplesOf(renderExposition(buildMetricFamilies(input({ ephemeral }), { topProcesses: 20, topDestinations: top }), 'prometheus'), 'sockscope_ephemeral_ports')
    expect(render(3)).toHaveLength(3)
    expect(render(2)).toEqual([
      'sockscope_ephemeral_ports{protocol="tcp",local_address="127.0.0.1",destination="127.0.0.1:80"} 9',
      'sockscope_ephemeral_ports{protocol="tcp",local_address="127.0.0.1",destination="127.0.0.1:82"} 5',
      'sockscope_ephemeral_ports{destination="other"} 1'
    ])
  })

  it('counts two findings of one kind for two processes of one name as one series of 2', () => {
    const findings = [
      buildFinding({ id: 'close-wait:1', process: { pid: 1, name: 'worker' } }),
      buildFinding({ id: 'close-wait:2', process: { pid: 2, name: 'worker' } }),
      buildFinding({ id: 'fd-limit:2', kind: 'fd-limit', process: { pid: 2, name: 'worker' } })
    ]
    const text = renderExposition(buildMetricFamilies(input({ findings }), { topProcesses: 20, topDestinations: 20 }), 'prometheus')
    expect(samplesOf(text, 'sockscope_finding')).toEqual(['sockscope_finding{kind="close-wait",process="worker"} 2', 'sockscope_finding{kind="fd-limit",process="worker"} 1'])
  })
})
