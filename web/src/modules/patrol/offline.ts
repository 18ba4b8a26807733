/**
 * Offline queue of check-ins: a scan made without network is kept in localStorage with its own
 * client_id and scan time, and sent when the phone is back online. The server accepts each
 * client_id once (a resend returns the same check-in), so a lost answer never duplicates a visit.
 */
import { ref } from 'vue'
import { ApiError } from '@/api'
import { patrolApi, type CheckinIn } from './api'

const KEY = 'cg.patrol.outbox'

export interface QueuedCheckin {
  body: CheckinIn & { scanned_at: string }
  attempts: number
  last_error?: string
}

export const queued = ref<QueuedCheckin[]>(load())
export const refused = ref<{ body: CheckinIn; status: number; detail: string }[]>([])
let flushing: Promise<number> | null = null

function load(): QueuedCheckin[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(KEY) || '[]') as QueuedCheckin[]
    return Array.isArray(parsed) ? parsed : []
  } catch {
    return []
  }
}

function save(): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(queued.value))
  } catch {
    /* storage full: keep the queue in memory */
  }
}

export function newClientId(): string {
  const rnd = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`
  return `scan-${rnd}`
}

export function enqueue(body: CheckinIn & { scanned_at: string }): void {
  queued.value = [...queued.value.filter((q) => q.body.client_id !== body.client_id), { body, attempts: 0 }]
  save()
}

/** Send every queued check-in once; stops at the first network failure (still offline). */
export function flush(): Promise<number> {
  if (flushing) return flushing
  flushing = (async () => {
    let sent = 0
    for (const item of [...queued.value]) {
      try {
        await patrolApi.checkin(item.body)
        queued.value = queued.value.filter((q) => q.body.client_id !== item.body.client_id)
        sent += 1
      } catch (err) {
        const e = err as ApiError
        if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 408) {
          refused.value = [...refused.value, { body: item.body, status: e.status, detail: e.detail ?? e.message }]
          queued.value = queued.value.filter((q) => q.body.client_id !== item.body.client_id)
        } else {
          item.attempts += 1
          item.last_error = e?.message ?? String(err)
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

let installed = false
export function installOfflineSync(): void {
  if (installed || typeof window === 'undefined') return
  installed = true
  window.addEventListener('online', () => void flush())
  if (navigator.onLine && queued.value.length) void flush()
}
