/** Argument schemas the history and recording channels share: moments in time and where to read them. */
import * as v from 'valibot'

/** A moment as epoch milliseconds. */
export const epochMs = v.pipe(v.number(), v.minValue(0), v.maxValue(8.64e15))

/** The live history (the default) or the opened recording. */
export const historySource = v.optional(v.picklist(['live', 'recording']))
