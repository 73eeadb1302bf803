/**
 * Closing a probe's TCP socket politely: a FIN first, so the peer sees an orderly close
 * rather than a reset, then a forced close if the peer never finishes its side.
 */
import type { Socket } from 'node:net'

/** How long a peer gets to finish its side of the close. */
const GRACEFUL_CLOSE_MS = 1_000

/** End the socket and destroy it once the peer closes, or after a short grace period. */
export function closeSocketGracefully(socket: Socket): void {
  if (socket.destroyed) return
  const timer = setTimeout(() => socket.destroy(), GRACEFUL_CLOSE_MS)
  timer.unref()
  socket.once('close', () => clearTimeout(timer))
  // Reading keeps the socket flowing, so the peer's FIN arrives and 'close' follows.
  socket.resume()
  socket.end()
}
