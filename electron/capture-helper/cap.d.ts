/**
 * The part of the `cap` package (libpcap binding) sockscope uses. The package ships no types.
 *
 * Its `packet` event passes only the number of bytes copied and whether the copy was cut short:
 * the pcap header's timestamp and wire length never reach JavaScript.
 */
declare module 'cap' {
  import { EventEmitter } from 'node:events'

  /** One address of a device, as pcap_findalldevs reports it. */
  export interface CapDeviceAddress {
    readonly addr?: string
    readonly netmask?: string
    readonly broadaddr?: string
    readonly dstaddr?: string
  }

  /** One device from pcap_findalldevs. */
  export interface CapDevice {
    readonly name: string
    readonly description?: string
    readonly addresses: readonly CapDeviceAddress[]
    readonly flags?: string
  }

  /** A libpcap handle. */
  export class Cap extends EventEmitter {
    /**
     * Opens and activates `device` (snaplen 65535, promiscuous, immediate mode), then compiles and sets
     * `filter`. Returns the link type as a name, or "Unknown linktype N". Throws libpcap's message.
     */
    open(device: string, filter: string, bufferSize: number, buffer: Buffer): string
    /** Stops capturing. Must not be called after a failed open (the binding crashes). */
    close(): boolean
    /** Windows only. */
    setMinBytes?(bytes: number): void
    on(event: 'packet', listener: (bytes: number, truncated: boolean) => void): this
    static deviceList(): CapDevice[]
    static findDevice(ip?: string): string | undefined
  }
}
