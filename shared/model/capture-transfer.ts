/** Capture files moving in and out of the backend in chunks: an export being read, an import being written. */

/** A finished export waiting to be read. */
export interface ExportTicket {
  readonly exportId: string
  readonly fileName: string
  readonly packets: number
  readonly totalBytes: number
}

/** A piece of an export file. */
export interface ExportChunk {
  readonly offset: number
  /** base64 */
  readonly data: string
  readonly done: boolean
}

/** How an export or import is going. */
export interface TransferProgress {
  readonly id: string
  readonly phase: 'writing' | 'reading'
  readonly done: number
  readonly total: number
}

/** Where an import stands. */
export interface ImportProgress {
  readonly importId: string
  readonly packets: number
  readonly bytesRead: number
  /** The first problem in the file, with its byte offset; the packets before it are kept. */
  readonly error: string | null
}
