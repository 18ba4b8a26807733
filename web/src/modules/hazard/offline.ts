/**
 * Offline queue of hazard reports: a report made without network is kept (with its photos as data
 * URLs) and sent when the phone is back online; see utils/outbox.ts for the delivery rules.
 */
import { createOutbox, newClientId as clientId } from '@/utils/outbox'
import { hazardApi, uploadHazardPhoto, type HazardIn } from './api'

export interface QueuedReport {
  body: HazardIn & { client_id: string }
  photos: string[] // data: URLs
  queued_at: string
  attempts: number
  last_error?: string
}

export function newClientId(): string {
  return clientId('app')
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

/** Send one report and its photos; the hazard id (created now or already known to the server). */
export async function sendReport(body: HazardIn & { client_id: string }, photos: Blob[]): Promise<number> {
  const hazard = await hazardApi.report(body)
  for (const [i, photo] of photos.entries()) {
    await uploadHazardPhoto(hazard.id, photo, `report-${i + 1}.jpg`)
  }
  return hazard.id
}

const outbox = createOutbox<QueuedReport>({
  key: 'cg.hazard.outbox',
  idOf: (item) => item.body.client_id,
  send: async (item) => sendReport(item.body, await Promise.all(item.photos.map(dataUrlToBlob))),
})

export const pending = outbox.items
export const refused = outbox.refused
export const enqueue = outbox.enqueue
export const flush = outbox.flush
export const installOfflineSync = outbox.install
