/**
 * Collects the layers and fields of the details tree while the decoders run in tree mode.
 * In summary mode the decoders get no builder at all and skip every field, which is what keeps
 * the list fast.
 */

import type { DecodedLayer, LayerKind } from '../../../../shared/model/decoded-packet'

interface MutableField {
  name: string
  label: string
  value: string | number | boolean | null
  display: string
  offset: number
  length: number
  children: MutableField[]
}

interface MutableLayer {
  kind: LayerKind
  title: string
  offset: number
  length: number
  fields: MutableField[]
}

/** Builds the layers of one packet's tree. */
export class PacketTreeBuilder {
  private readonly layerList: MutableLayer[] = []
  private current: MutableLayer | null = null
  private readonly openGroups: MutableField[] = []

  /** Starts a layer; later fields go into it. */
  layer(kind: LayerKind, title: string, offset: number, length: number): void {
    this.current = { kind, title, offset, length, fields: [] }
    this.openGroups.length = 0
    this.layerList.push(this.current)
  }

  /** Updates the current layer's title once more of it is known. */
  setTitle(title: string): void {
    if (this.current !== null) this.current.title = title
  }

  /** Updates the current layer's byte length. */
  setLength(length: number): void {
    if (this.current !== null) this.current.length = length
  }

  /** Adds a field to the innermost open group, or to the layer. */
  add(name: string, label: string, value: string | number | boolean | null, offset: number, length: number, display?: string): void {
    this.push({ name, label, value, display: display ?? (value === null ? '' : String(value)), offset, length, children: [] })
  }

  /** Adds a field that holds children; call {@link close} after adding them. */
  open(name: string, label: string, value: string | number | boolean | null, offset: number, length: number, display?: string): void {
    const field: MutableField = { name, label, value, display: display ?? (value === null ? '' : String(value)), offset, length, children: [] }
    this.push(field)
    this.openGroups.push(field)
  }

  /** Closes the innermost open group; `endOffset` sets its byte range to end there. */
  close(endOffset?: number): void {
    const group = this.openGroups.pop()
    if (group !== undefined && endOffset !== undefined) group.length = Math.max(0, endOffset - group.offset)
  }

  /** The finished layers. */
  get layers(): readonly DecodedLayer[] {
    return this.layerList
  }

  private push(field: MutableField): void {
    const group = this.openGroups[this.openGroups.length - 1]
    if (group !== undefined) group.children.push(field)
    else if (this.current !== null) this.current.fields.push(field)
  }
}
