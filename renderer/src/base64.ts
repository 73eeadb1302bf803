/** Base64 without Node's Buffer, which the renderer does not have: packet bytes travel as base64 in the contract. */

/** Decodes base64 into bytes. */
export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index)
  return bytes
}

/** Characters handed to String.fromCharCode at once, well under the engines' argument limits. */
const SLICE_BYTES = 0x8000

/** Encodes bytes as base64 in slices, so a large chunk does not overflow the argument limit. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let start = 0; start < bytes.length; start += SLICE_BYTES) {
    binary += String.fromCharCode(...bytes.subarray(start, start + SLICE_BYTES))
  }
  return btoa(binary)
}
