/**
 * Which container a process runs in, read from its /proc/PID/cgroup: container engines put each
 * container's processes in a cgroup whose path carries the container's 64-hex id, in a shape of
 * their own. A pure parser, so real lines of each engine can be tested without the engine.
 */

/** How many characters of a container id a label keeps, as `docker ps` shows them. */
const SHORT_ID_LENGTH = 12

/** One engine's cgroup path shape: the id is the regular expression's first group. */
interface CgroupShape {
  readonly engine: string
  readonly pattern: RegExp
}

const ID = '([0-9a-f]{64})'

/**
 * Shapes in the order they are tried. Kubernetes comes first: a pod's containers sit under
 * `kubepods` whatever runtime (containerd, CRI-O, Docker) made them, and the pod is what a user
 * knows them by. Podman's `libpod-conmon-<id>` scope holds its monitor, not the container.
 */
const SHAPES: readonly CgroupShape[] = [
  // systemd driver: /kubepods.slice/…/cri-containerd-<id>.scope (or crio-, docker-);
  // cgroupfs driver: /kubepods/besteffort/pod<uid>/<id>
  { engine: 'kubernetes', pattern: new RegExp(`/kubepods[^:]*?[/-](?:cri-containerd-|crio-|docker-)?${ID}(?:\\.scope)?(?:/|$)`) },
  // cgroup v2 with systemd: /system.slice/docker-<id>.scope; cgroupfs or v1: /docker/<id>
  { engine: 'docker', pattern: new RegExp(`/docker[-/]${ID}(?:\\.scope)?(?:/|$)`) },
  // /machine.slice/libpod-<id>.scope[/container]; rootless under user@UID.service; cgroupfs /libpod_parent/libpod-<id>
  { engine: 'podman', pattern: new RegExp(`/libpod-${ID}(?:\\.scope)?(?:/|$)`) },
  // containerd outside Kubernetes: a CRI client's /…/cri-containerd-<id>.scope, nerdctl's /system.slice/nerdctl-<id>.scope
  { engine: 'containerd', pattern: new RegExp(`/(?:cri-containerd|nerdctl)-${ID}(?:\\.scope)?(?:/|$)`) },
  { engine: 'cri-o', pattern: new RegExp(`/crio-${ID}(?:\\.scope)?(?:/|$)`) }
]

/**
 * The container label of a process from the text of its /proc/PID/cgroup (`docker:3f2a9c1b7d4e`,
 * `podman:…`, `kubernetes:…`, `containerd:…`, `cri-o:…`), or null when no line's path names a
 * container: a host process, a systemd service or a user session.
 *
 * Each line is `hierarchy:controllers:path` (cgroup v1 has one per controller, v2 the single
 * `0::path`); only the path counts, and the first line that names a container wins.
 */
export function containerLabelFromCgroup(text: string): string | null {
  for (const line of text.split('\n')) {
    const pathStart = line.indexOf(':', line.indexOf(':') + 1) + 1
    if (pathStart === 0) continue
    const path = line.slice(pathStart)
    for (const shape of SHAPES) {
      const id = shape.pattern.exec(path)?.[1]
      if (id !== undefined) return `${shape.engine}:${id.slice(0, SHORT_ID_LENGTH)}`
    }
  }
  return null
}
