/*
 * Container labels from /proc/PID/cgroup, on the line formats each engine writes (cgroup v2 with
 * the systemd driver, cgroup v1 with cgroupfs) and on paths that name no container.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { containerLabelFromCgroup } from '../../../../../electron/backend/platform/linux/container-label'

const fixture = (name: string): string => readFileSync(join(__dirname, '../../../../fixtures/cgroup', name), 'utf8')
const SHORT_ID = '9f1c4a7e2b3d'

describe('containerLabelFromCgroup', () => {
  it.each([
    ['docker-systemd-v2.txt', `docker:${SHORT_ID}`],
    ['docker-cgroupfs-v1.txt', `docker:${SHORT_ID}`],
    ['podman-rootful-v2.txt', `podman:${SHORT_ID}`],
    ['podman-rootless-v2.txt', `podman:${SHORT_ID}`],
    ['kubepods-containerd-systemd-v2.txt', `kubernetes:${SHORT_ID}`],
    ['kubepods-cgroupfs-v1.txt', `kubernetes:${SHORT_ID}`],
    ['kubepods-crio-systemd-v2.txt', `kubernetes:${SHORT_ID}`],
    ['nerdctl-systemd-v2.txt', `containerd:${SHORT_ID}`]
  ])('names the container of %s as %s', (name, label) => {
    expect(containerLabelFromCgroup(fixture(name))).toBe(label)
  })

  it.each([
    // Podman's monitor runs beside the container, in the host's network namespace.
    'podman-conmon-v2.txt',
    'user-session-v2.txt',
    'user-app-v2.txt',
    'system-service-v2.txt',
    // This machine: a memory cgroup named by a 32-hex id that no container engine made.
    'this-machine-v1-hybrid.txt'
  ])('gives no container for %s', (name) => {
    expect(containerLabelFromCgroup(fixture(name))).toBeNull()
  })

  it('takes only a whole 64-hex id at a path step, never part of a longer name', () => {
    const id = 'a'.repeat(64)
    expect(containerLabelFromCgroup(`0::/system.slice/docker-${id}.scope`)).toBe('docker:aaaaaaaaaaaa')
    expect(containerLabelFromCgroup(`0::/system.slice/docker-${id}b.scope`)).toBeNull()
    expect(containerLabelFromCgroup(`0::/system.slice/docker-${id.slice(1)}.scope`)).toBeNull()
    expect(containerLabelFromCgroup(`0::/system.slice/mydocker-${id}.scope`)).toBeNull()
    // A controller list that happens to look like a path is not the path.
    expect(containerLabelFromCgroup(`4:/docker/${id}/x:/`)).toBeNull()
    expect(containerLabelFromCgroup('')).toBeNull()
  })
})
