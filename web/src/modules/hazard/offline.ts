/**
 * Offline queue of hazard reports: a report made without network is kept in localStorage with a
 * client-generated id and sent when the phone is back online. The server accepts each client_id
 * once and re-sending returns the same hazard, so a retry after a lost answer never duplicates.
 */
import { ref } from 'vue'
import { ApiError } from '@/api'
import { hazardApi, uploadHazardPhoto, type HazardIn } from './api'

const KEY = 'cg.hazard.outbox'

export interface QueuedReport {
  body: HazardIn & { client_id: string }
  photos: string[] // data: URLs
  queued_at: string
  attempts: number
  last_error?: string
}

export const pending = ref<QueuedReport[]>(load())
let flushing: Promise<number> | null = null

function load(): QueuedReport[] {
  try {
    const raw = localStorage.getItem(KEY)
    const parsed = raw ? (JSON.parse(raw) as QueuedReport[]) : []
    return Array.isArray(parsed) ? parsed : []
  } catch {
    return []
  }
}

function save(): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(pending.value))
  } catch {
    // storage full: keep the queue in memory at least
  }
}

export function newClientId(): string {
  const rnd = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`
  return `app-${rnd}`
}

function readAsDataUrl(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(String(reader.result))
    reader.onerror = () => reject(reader.error)
    reader.readAsDataURL(file)
  })
}

/**
 * A phone photo (often 3-6 MB) as a JPEG data URL of at most `maxEdge` pixels, so a few queued
 * reports fit in localStorage; the server re-encodes it anyway. Falls back to the original bytes.
 */
export async function fileToDataUrl(file: Blob, maxEdge = 1600, quality = 0.8): Promise<string> {
  try {
    const bitmap = await createImageBitmap(file)
    const scale = Math.min(1, maxEdge / Math.max(bitmap.width, bitmap.height))
    const canvas = document.createElement('canvas')
    canvas.width = Math.round(bitmap.width * scale)
    canvas.height = Math.round(bitmap.height * scale)
    const ctx = canvas.getContext('2d')
    if (!ctx) throw new Error('no 2d context')
    ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
    bitmap.close()
    return canvas.toDataURL('image/jpeg', quality)
  } catch {
    return readAsDataUrl(file)
  }
}

async function dataUrlToBlob(url: string): Promise<Blob> {
  return (await fetch(url)).blob()
}

export function enqueue(item: QueuedReport): void {
  pending.value = [...pending.value.filter((q) => q.body.client_id !== item.body.client_id), item]
  save()
}

/** Send one report and its photos; true when the server has it (created or already known). */
export async function sendReport(body: HazardIn & { client_id: string }, photos: Blob[]): Promise<number> {
  const hazard = await hazardApi.report(body)
  for (const [i, photo] of photos.entries()) {
    await uploadHazardPhoto(hazard.id, photo, `report-${i + 1}.jpg`)
  }
  return hazard.id
}

/** Send every queued report once; stops at the first network failure (still offline). */
export function flush(): Promise<number> {
  if (flushing) return flushing
  flushing = (async () => {
    let sent = 0
    for (const item of [...pending.value]) {
      try {
        const blobs = await Promise.all(item.photos.map(dataUrlToBlob))
        await sendReport(item.body, blobs)
        pending.value = pending.value.filter((q) => q.body.client_id !== item.body.client_id)
        sent += 1
      } catch (err) {
        const e = err as ApiError
        if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 408) {
          // refused for good (bad input, out of scope): drop it, keep the reason visible in the log
          console.warn('hazard report dropped', e.status, e.detail)
          pending.value = pending.value.filter((q) => q.body.client_id !== item.body.client_id)
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
/** Flush on start and whenever the browser comes back online. */
export function installOfflineSync(): void {
  if (installed || typeof window === 'undefined') return
  installed = true
  window.addEventListener('online', () => void flush())
  if (navigator.onLine && pending.value.length) void flush()
}
