/** Turning a pushed event into one human line, and the alarm pop-up + beep. */
import { ElNotification } from 'element-plus'
import type { Router } from 'vue-router'
import { eventTypeLabel, i18n } from '@/i18n'
import type { CampusEvent } from '@/types'
import { beep } from './beep'
import { useEvents } from '@/stores/events'

const TEXT_FIELDS = ['title', 'message', 'summary', 'description', 'detail', 'reason', 'name']
const CONTEXT_FIELDS = ['school_name', 'area_name', 'device_code', 'device_name', 'school_code']

/** Best one-line description of an event from its common payload fields. */
export function describeEvent(e: CampusEvent): string {
  const parts: string[] = []
  for (const f of TEXT_FIELDS) {
    const v = e[f]
    if (typeof v === 'string' && v.trim()) {
      parts.push(v.trim())
      break
    }
  }
  for (const f of CONTEXT_FIELDS) {
    const v = e[f]
    if ((typeof v === 'string' && v.trim()) || typeof v === 'number') parts.push(String(v))
  }
  return parts.join(' · ')
}

/** Element Plus tag colour by event family. */
export function eventTagType(type: string): 'danger' | 'warning' | 'success' | 'info' | 'primary' {
  if (type.startsWith('alarm.')) return 'danger'
  if (type.endsWith('offline') || type.includes('hazard') || type.includes('missed')) return 'warning'
  if (type.endsWith('online') || type.endsWith('resolved')) return 'success'
  if (type.startsWith('device.')) return 'primary'
  return 'info'
}

let installed: (() => void) | null = null

/** Pop a notification and beep for every `alarm.*` event (installed once per tab). */
export function installAlarmNotifier(router: Router): void {
  if (installed) return
  const store = useEvents()
  installed = store.subscribe('alarm.*', (e) => {
    ElNotification({
      title: eventTypeLabel(e.type),
      message: describeEvent(e) || i18n.global.t('eventTypes.alarm'),
      type: 'error',
      duration: 10_000,
      position: 'top-right',
      customClass: 'cg-alarm-notification',
      onClick: () => void router.push({ name: 'events' }).catch(() => undefined),
    })
    if (!store.muted) beep()
  })
}

export function uninstallAlarmNotifier(): void {
  installed?.()
  installed = null
}
