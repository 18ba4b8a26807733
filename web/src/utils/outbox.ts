/**
 * A durable outbox for phone actions made without network: items are kept in localStorage under a
 * key and sent in order when the phone is back online. The server accepts each item's client id
 * once (a resend returns the same record), so a retry after a lost answer never duplicates.
 */
import { ref, type Ref } from 'vue'
import { ApiError } from '@/api'

export interface Refusal<T> {
  item: T
  status: number
  detail: string
}

export interface Outbox<T> {
  items: Ref<T[]>
  refused: Ref<Refusal<T>[]>
  enqueue: (item: T) => void
  flush: () => Promise<number>
  install: () => void
}

/** What every queued item records about its failed deliveries (shown on the phone). */
export interface Attempts {
  attempts: number
  last_error?: string
}

export interface OutboxOptions<T> {
  key: string
  idOf: (item: T) => string
  send: (item: T) => Promise<unknown>
}

/** A client id unique on this phone and across phones (crypto.randomUUID where the browser has it). */
export function newClientId(prefix: string): string {
  const rnd = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`
  return `${prefix}-${rnd}`
}

/** A 4xx other than 401/408 is a final answer: the item is dropped and its refusal shown. */
function isRefusal(err: unknown): err is ApiError {
  return err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 408
}

export function createOutbox<T extends Attempts>(options: OutboxOptions<T>): Outbox<T> {
  const load = (): T[] => {
    try {
      const parsed = JSON.parse(localStorage.getItem(options.key) || '[]') as T[]
      return Array.isArray(parsed) ? parsed : []
    } catch {
      return []
    }
  }
  const items = ref(load()) as Ref<T[]>
  const refused = ref([]) as Ref<Refusal<T>[]>
  const save = (): void => {
    try {
      localStorage.setItem(options.key, JSON.stringify(items.value))
    } catch {
      /* storage full: keep the queue in memory at least */
    }
  }
  const without = (id: string): T[] => items.value.filter((q) => options.idOf(q) !== id)
  let flushing: Promise<number> | null = null
  let installed = false

  const enqueue = (item: T): void => {
    items.value = [...without(options.idOf(item)), item]
    save()
  }

  /** Send every queued item once; stops at the first network failure (still offline). */
  const flush = (): Promise<number> => {
    if (flushing) return flushing
    flushing = (async () => {
      let sent = 0
      for (const item of [...items.value]) {
        try {
          await options.send(item)
          items.value = without(options.idOf(item))
          sent += 1
        } catch (err) {
          if (isRefusal(err)) {
            refused.value = [...refused.value, { item, status: err.status, detail: err.detail ?? err.message }]
            items.value = without(options.idOf(item))
          } else {
            item.attempts += 1
            item.last_error = err instanceof Error ? err.message : String(err)
            break
          }
        } finally {
          save()
        }
      }
      return sent
    })().finally(() => {
      flushing = null
    })
    return flushing
  }

  /** Flush on start and whenever the browser comes back online. */
  const install = (): void => {
    if (installed || typeof window === 'undefined') return
    installed = true
    window.addEventListener('online', () => void flush())
    if (navigator.onLine && items.value.length) void flush()
  }

  return { items, refused, enqueue, flush, install }
}
