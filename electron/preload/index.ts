/**
 * The preload: one named method per contract channel, nothing else. There is no generic
 * `invoke(channel)`, so a compromised page can only call what the contract lists, and main
 * still validates every argument.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { eventChannels, listenerNameFor, methodNameFor, requestChannels } from '../../shared/contract'

const bridge: Record<string, unknown> = {}

for (const channel of Object.keys(requestChannels)) {
  bridge[methodNameFor(channel)] = (args: unknown) => ipcRenderer.invoke(channel, args)
}

for (const event of Object.keys(eventChannels)) {
  bridge[listenerNameFor(event)] = (listener: (payload: unknown) => void) => {
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload)
    ipcRenderer.on(event, forward)
    return () => {
      ipcRenderer.removeListener(event, forward)
    }
  }
}

contextBridge.exposeInMainWorld('sockscope', Object.freeze(bridge))
