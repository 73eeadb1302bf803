/**
 * What a menu opened at the pointer does, whichever row it belongs to: it stays inside the window,
 * takes the focus, moves between items with the arrow keys, and closes on Esc, Tab or a click
 * elsewhere.
 */
import { nextTick, onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

/** A menu's place on the page and its keyboard handler, for an element `menu` opened at (x, y). */
export function usePopupMenu(menu: Ref<HTMLElement | null>, at: { readonly x: number; readonly y: number }, close: () => void) {
  /** Kept inside the window: a menu opened near the right or bottom edge opens towards the middle. */
  const position = ref({ left: at.x, top: at.y })

  function items(): HTMLButtonElement[] {
    return [...(menu.value?.querySelectorAll<HTMLButtonElement>('button:not(:disabled)') ?? [])]
  }

  function onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape' || event.key === 'Tab') {
      event.preventDefault()
      close()
      return
    }
    const step = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0
    if (step === 0) return
    event.preventDefault()
    const buttons = items()
    const current = buttons.indexOf(document.activeElement as HTMLButtonElement)
    buttons[(current + step + buttons.length) % buttons.length]?.focus()
  }

  function closeOnOutside(event: PointerEvent): void {
    if (menu.value && !menu.value.contains(event.target as Node)) close()
  }

  onMounted(async () => {
    window.addEventListener('pointerdown', closeOnOutside, true)
    await nextTick()
    const box = menu.value?.getBoundingClientRect()
    if (box) {
      position.value = {
        left: Math.max(0, Math.min(at.x, window.innerWidth - box.width - 4)),
        top: Math.max(0, Math.min(at.y, window.innerHeight - box.height - 4))
      }
    }
    items()[0]?.focus()
  })
  onBeforeUnmount(() => window.removeEventListener('pointerdown', closeOnOutside, true))

  return { position, onKeydown }
}
