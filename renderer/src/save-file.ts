/**
 * Saving something the app made (an export) as a download: the one way a sandboxed page can
 * write a file, in the desktop app and in web mode alike. Every store that saves a file calls
 * saveBlob; none builds its own download link.
 */

/** Offer `blob` for download under `fileName`. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.rel = 'noopener'
  document.body.appendChild(link)
  link.click()
  link.remove()
  // The download has started by the time this runs; the delay only keeps slow browsers safe.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
