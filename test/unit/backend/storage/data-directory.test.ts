/** Which data folder sockscope picks: `--data-dir` over SOCKSCOPE_DATA_DIR over the XDG state folder. */
import { describe, expect, it } from 'vitest'
import { chooseDataDirectory } from '../../../../electron/backend/storage/data-directory'

const home = '/home/tester'
const workingDirectory = '/work/here'

describe('chooseDataDirectory', () => {
  it('defaults to ~/.local/state/sockscope', () => {
    expect(chooseDataDirectory({ environment: {}, home, workingDirectory })).toEqual({ path: '/home/tester/.local/state/sockscope', source: 'default' })
  })

  it('honours an absolute XDG_STATE_HOME, and ignores a relative or empty one as the XDG rules ask', () => {
    expect(chooseDataDirectory({ environment: { XDG_STATE_HOME: '/var/state' }, home, workingDirectory }).path).toBe('/var/state/sockscope')
    expect(chooseDataDirectory({ environment: { XDG_STATE_HOME: 'state' }, home, workingDirectory }).path).toBe('/home/tester/.local/state/sockscope')
    expect(chooseDataDirectory({ environment: { XDG_STATE_HOME: '' }, home, workingDirectory }).path).toBe('/home/tester/.local/state/sockscope')
  })

  it('takes SOCKSCOPE_DATA_DIR over XDG_STATE_HOME, relative to the working folder', () => {
    const environment = { XDG_STATE_HOME: '/var/state', SOCKSCOPE_DATA_DIR: 'data' }
    expect(chooseDataDirectory({ environment, home, workingDirectory })).toEqual({ path: '/work/here/data', source: 'environment' })
    expect(chooseDataDirectory({ environment: { ...environment, SOCKSCOPE_DATA_DIR: '' }, home, workingDirectory }).source).toBe('default')
  })

  it('takes --data-dir over everything else', () => {
    const environment = { XDG_STATE_HOME: '/var/state', SOCKSCOPE_DATA_DIR: '/from/environment' }
    expect(chooseDataDirectory({ option: '/from/option', environment, home, workingDirectory })).toEqual({ path: '/from/option', source: 'option' })
    expect(chooseDataDirectory({ option: '../up', environment, home, workingDirectory }).path).toBe('/work/up')
    expect(chooseDataDirectory({ option: '', environment, home, workingDirectory }).source).toBe('environment')
  })
})
