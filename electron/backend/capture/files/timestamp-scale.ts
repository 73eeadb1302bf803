/**
 * pcapng timestamps: a 64-bit count of units (split in two 32-bit halves) where the unit is
 * set per interface by if_tsresol, plus an optional whole-second if_tsoffset.
 *
 * Nanosecond counts since 1970 pass 2^53, so plain float arithmetic would lose the last digits.
 * The common resolutions use exact integer steps; anything unusual falls back to BigInt.
 */

/** Splits a unit count into whole seconds and nanoseconds for one interface. */
export class TimestampScale {
  /** Whole seconds of the last conversion. */
  seconds = 0
  /** Nanoseconds of the last conversion. */
  nanos = 0

  /** Decimal places of precision, for CaptureInterface.timestampDecimals (9 at most). */
  readonly decimals: number

  private readonly base: 10 | 2
  private readonly exponent: number
  private readonly divisor: number
  private readonly nanosPerUnit: number

  /**
   * @param resolutionByte the if_tsresol option byte: high bit clear → 10^-n seconds, set → 2^-n seconds.
   * @param offsetSeconds the if_tsoffset option, added to every timestamp.
   */
  constructor(
    resolutionByte = 6,
    private readonly offsetSeconds = 0
  ) {
    this.base = (resolutionByte & 0x80) !== 0 ? 2 : 10
    this.exponent = resolutionByte & 0x7f
    this.divisor = this.base === 10 ? 10 ** this.exponent : 2 ** this.exponent
    this.nanosPerUnit = this.base === 10 && this.exponent <= 9 ? 10 ** (9 - this.exponent) : 0
    this.decimals = this.base === 10 ? Math.min(this.exponent, 9) : Math.min(Math.ceil(this.exponent * Math.log10(2)), 9)
  }

  /** Converts a unit count into {@link seconds} and {@link nanos}. */
  convert(high: number, low: number): void {
    if (this.base === 10 && this.exponent <= 9) this.convertDecimal(high, low)
    else if (this.base === 2 && this.exponent <= 32) this.convertBinary(high, low)
    else this.convertWithBigInt(high, low)
    this.seconds += this.offsetSeconds
  }

  /**
   * A count below 2^53 (microseconds until the year 2255) divides exactly as it is; a larger one
   * by long division in 16-bit digits, where every intermediate stays below 2^46. No array per
   * call: a file read converts every packet's time.
   */
  private convertDecimal(high: number, low: number): void {
    const divisor = this.divisor
    if (high < 0x200000) {
      const units = high * 4294967296 + low
      const seconds = Math.floor(units / divisor)
      this.seconds = seconds
      this.nanos = (units - seconds * divisor) * this.nanosPerUnit
      return
    }
    let value = high >>> 16
    let quotient = Math.floor(value / divisor)
    let remainder = value - quotient * divisor
    value = remainder * 65536 + (high & 0xffff)
    let digit = Math.floor(value / divisor)
    remainder = value - digit * divisor
    quotient = quotient * 65536 + digit
    value = remainder * 65536 + (low >>> 16)
    digit = Math.floor(value / divisor)
    remainder = value - digit * divisor
    quotient = quotient * 65536 + digit
    value = remainder * 65536 + (low & 0xffff)
    digit = Math.floor(value / divisor)
    remainder = value - digit * divisor
    this.seconds = quotient * 65536 + digit
    this.nanos = remainder * this.nanosPerUnit
  }

  /** 2^-k units: the whole seconds are a shift, and 10^9 = 2^9 · 1953125 keeps the fraction exact. */
  private convertBinary(high: number, low: number): void {
    const exponent = this.exponent
    const lowDivisor = 2 ** exponent
    if (exponent === 32) {
      this.seconds = high
      this.nanos = Math.floor((low * 1953125) / 2 ** 23)
      return
    }
    this.seconds = high * 2 ** (32 - exponent) + Math.floor(low / lowDivisor)
    const fraction = low % lowDivisor
    this.nanos = exponent >= 9 ? Math.floor((fraction * 1953125) / 2 ** (exponent - 9)) : Math.floor((fraction * 1e9) / lowDivisor)
  }

  private convertWithBigInt(high: number, low: number): void {
    const units = (BigInt(high) << 32n) | BigInt(low)
    const divisor = this.base === 10 ? 10n ** BigInt(this.exponent) : 1n << BigInt(this.exponent)
    this.seconds = Number(units / divisor)
    this.nanos = Number(((units % divisor) * 1_000_000_000n) / divisor)
  }
}

/**
 * The unit count for a timestamp at 10^-decimals resolution (decimals 0..9), as the two 32-bit
 * halves pcapng stores. Sub-unit nanoseconds are dropped, as a capture at that resolution would.
 */
export function timestampToUnits(seconds: number, nanos: number, decimals: number): { high: number; low: number } {
  const units = BigInt(seconds) * 10n ** BigInt(decimals) + BigInt(Math.floor(nanos / 10 ** (9 - decimals)))
  return { high: Number((units >> 32n) & 0xffffffffn), low: Number(units & 0xffffffffn) }
}
