/** One shared "is this a phone-sized screen" flag (below 768 px). */
import { readonly, ref } from 'vue'

export const MOBILE_BREAKPOINT = 768
const narrow = ref(typeof window !== 'undefined' ? window.innerWidth < MOBILE_BREAKPOINT : false)

if (typeof window !== 'undefined') {
  const mq = window.matchMedia(`(max-width: ${MOBILE_BREAKPOINT - 1}px)`)
  narrow.value = mq.matches
  mq.addEventListener('change', (e) => (narrow.value = e.matches))
}

export const isNarrow = readonly(narrow)
