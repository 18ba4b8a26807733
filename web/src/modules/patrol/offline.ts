/**
 * Offline queue of check-ins: a scan made without network is kept with its own client_id and scan
 * time and sent when the phone is back online; see utils/outbox.ts for the delivery rules.
 */
import { createOutbox, newClientId as clientId } from '@/utils/outbox'
import { patrolApi, type CheckinIn } from './api'

export interface QueuedCheckin {
  body: CheckinIn & { scanned_at: string }
  attempts: number
  last_error?: string
}

export function newClientId(): string {
  return clientId('scan')
}

const outbox = createOutbox<QueuedCheckin>({
  key: 'cg.patrol.outbox',
  idOf: (item) => item.body.client_id,
  send: (item) => patrolApi.checkin(item.body),
})

export const queued = outbox.items
export const refused = outbox.refused
export const flush = outbox.flush
export const installOfflineSync = outbox.install

export function enqueue(body: CheckinIn & { scanned_at: string }): void {
  outbox.enqueue({ body, attempts: 0 })
}
