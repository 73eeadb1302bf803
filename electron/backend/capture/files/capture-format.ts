/**
 * Numbers of the classic pcap and pcapng file formats (draft-ietf-opsawg-pcap and
 * draft-ietf-opsawg-pcapng), shared by the readers and writers.
 */

/** Classic pcap magic with microsecond timestamps, as read in the writer's byte order. */
export const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4
/** Classic pcap magic with nanosecond timestamps. */
export const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d
/** Size of the classic pcap file header. */
export const PCAP_FILE_HEADER_LENGTH = 24
/** Size of a classic pcap record header. */
export const PCAP_RECORD_HEADER_LENGTH = 16

/** Block type of a pcapng Section Header Block; the same bytes in either byte order. */
export const PCAPNG_SECTION_HEADER = 0x0a0d0d0a
/** The byte-order magic inside a Section Header Block. */
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d
/** Interface Description Block. */
export const PCAPNG_INTERFACE_DESCRIPTION = 0x00000001
/** The obsolete Packet Block. */
export const PCAPNG_PACKET_BLOCK = 0x00000002
/** Simple Packet Block. */
export const PCAPNG_SIMPLE_PACKET = 0x00000003
/** Enhanced Packet Block. */
export const PCAPNG_ENHANCED_PACKET = 0x00000006

/** opt_endofopt, common to every block: the end of a block's option list. */
export const OPTION_END = 0
/** opt_comment, common to every block: a UTF-8 comment. */
export const OPTION_COMMENT = 1
/** shb_hardware, a Section Header Block option: the machine that wrote the file. */
export const SHB_HARDWARE = 2
/** shb_os, a Section Header Block option: its operating system. */
export const SHB_OS = 3
/** shb_userappl, a Section Header Block option: the application that wrote the file. */
export const SHB_USER_APPLICATION = 4
/** if_name, an Interface Description Block option: the interface's name. */
export const IF_NAME = 2
/** if_description, an Interface Description Block option: a longer description of it. */
export const IF_DESCRIPTION = 3
/** if_tsresol, an Interface Description Block option: the timestamp resolution. */
export const IF_TIMESTAMP_RESOLUTION = 9
/** if_tsoffset, an Interface Description Block option: seconds added to every timestamp. */
export const IF_TIMESTAMP_OFFSET = 14

/**
 * The largest block or record the readers accept. Real frames are at most a few hundred KiB;
 * a larger length means a corrupt file, and refusing it keeps a bad length from making the
 * reader wait for (or allocate) gigabytes.
 */
export const MAXIMUM_BLOCK_LENGTH = 256 * 1024 * 1024

/** The snaplen written when an interface reports 0 (no limit). */
export const DEFAULT_SNAPLEN = 262144

/** Link types the decoders and tests name. */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276
} as const

/** A capture file format the readers detect and the writers produce. */
export type CaptureFileFormat = 'pcap' | 'pcapng'

/** Rounds a length up to the 32-bit boundary pcapng pads every field to. */
export function paddedLength(length: number): number {
  return (length + 3) & ~3
}
