/** One server-paged list (limit/offset): its rows, total, page, loading flag and problem text, kept the same way by every list screen. */
import { ref, shallowRef, type Ref } from 'vue'
import type { Page } from '@/types'
import { problemText } from './saving'

export function usePaged<T>(
  fetch: (limit: number, offset: number) => Promise<Page<T>>,
  options: { page?: number; pageSize?: number } = {},
) {
  const page = ref(options.page ?? 1)
  const pageSize = ref(options.pageSize ?? 20)
  const rows = shallowRef<T[]>([]) as Ref<T[]>
  const total = ref(0)
  const loading = ref(false)
  const error = ref<string | null>(null)

  /** Fetch the current page; a failure empties the list and leaves the server's reason in `error`. */
  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      const p = await fetch(pageSize.value, (page.value - 1) * pageSize.value)
      rows.value = p.items
      total.value = p.total
    } catch (err) {
      error.value = problemText(err)
      rows.value = []
      total.value = 0
    } finally {
      loading.value = false
    }
  }

  return { page, pageSize, rows, total, loading, error, load }
}
