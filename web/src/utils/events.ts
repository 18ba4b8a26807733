/** Turning a pushed event into one human line, and the alarm pop-up + beep. */
import { ElNotification, type NotificationHandle } from 'element-plus'
import type { Router } from 'vue-router'
import { eventTypeLabel, i18n, label } from '@/i18n'
import type { CampusEvent } from '@/types'
import { beep } from './beep'
import { isNarrow } from './responsive'
import { useEvents, type ReceivedEvent } from '@/stores/events'
import { useOrg } from '@/modules/org/store'

const TEXT_FIELDS = ['title', 'message', 'summary', 'description', 'detail', 'note', 'reason', 'name']
const CONTEXT_FIELDS = ['school_name', 'area_name', 'device_code', 'device_name', 'actor']

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
  if (typeof e.device_type === 'string' && !parts.length) parts.push(label('deviceTypes', e.device_type))
  const already = (text: string) => parts.some((p) => p.includes(text))
  for (const f of CONTEXT_FIELDS) {
    const v = e[f]
    if (((typeof v === 'string' && v.trim()) || typeof v === 'number') && !already(String(v))) parts.push(String(v))
  }
  if (!e.school_name) {
    const org = useOrg()
    const name = typeof e.school_id === 'number' ? org.schoolById.get(e.school_id)?.name : undefined
    if (name && !already(name)) parts.push(name)
    else if (!name && typeof e.school_code === 'string' && !already(e.school_code)) parts.push(e.school_code)
  }
  return [...new Set(parts)].join(' · ')
}

/** Element Plus tag colour by event family. */
export function eventTagType(type: string): 'danger' | 'warning' | 'success' | 'info' | 'primary' {
  if (type === 'alarm.raised' || type === 'alarm.escalated') return 'danger'
  if (type.endsWith('resolved') || type.endsWith('online') || type.endsWith('verified')) return 'success'
  if (type.startsWith('alarm.')) return 'warning'
  if (type.endsWith('offline') || type.includes('overdue') || type.includes('anomaly')) return 'warning'
  if (type.startsWith('device.')) return 'primary'
  return 'info'
}

/** Alarm events that demand attention (pop-up that stays, and a beep). */
export function isUrgentAlarm(type: string): boolean {
  return type === 'alarm.raised' || type === 'alarm.escalated'
}

const MAX_OPEN_DESKTOP = 4
const MAX_OPEN_PHONE = 2
const BEEP_GAP_MS = 2000
const open: NotificationHandle[] = []
let lastBeep = 0
let installed: (() => void) | null = null
let custom: ((e: ReceivedEvent) => void) | null = null

/** Let a module (e.g. alarm) replace the default pop-up with its own; null restores the default. */
export function overrideAlarmNotifier(handler: ((e: ReceivedEvent) => void) | null): void {
  custom = handler
}

function popup(router: Router, e: ReceivedEvent): void {
  const urgent = isUrgentAlarm(e.type)
  const drill = e.is_drill === true
  // A burst of alarms must not bury the screen: keep the newest few open.
  const limit = isNarrow.value ? MAX_OPEN_PHONE : MAX_OPEN_DESKTOP
  while (open.length >= limit) open.shift()?.close()
  const handle = ElNotification({
    title: (drill ? `[${i18n.global.t('alarmPopup.drill')}] ` : '') + eventTypeLabel(e.type),
    message: describeEvent(e) || i18n.global.t('eventTypes.alarm'),
    type: urgent ? (drill ? 'warning' : 'error') : 'info',
    duration: urgent ? 15_000 : 5_000,
    position: 'top-right',
    customClass: urgent ? 'cg-alarm-notification urgent' : 'cg-alarm-notification',
    onClick: () => void router.push({ name: 'events' }).catch(() => undefined),
    onClose: () => {
      const i = open.indexOf(handle)
      if (i >= 0) open.splice(i, 1)
    },
  })
  open.push(handle)
  const store = useEvents()
  if (urgent && !store.muted && Date.now() - lastBeep > BEEP_GAP_MS) {
    lastBeep = Date.now()
    beep()
  }
}

/** Pop a notification (and beep for new/escalated alarms) on every `alarm.*` event; once per tab. */
export function installAlarmNotifier(router: Router): void {
  if (installed) return
  const store = useEvents()
  installed = store.subscribe('alarm.*', (e) => (custom ? custom(e) : popup(router, e)))
}

export function uninstallAlarmNotifier(): void {
  installed?.()
  installed = null
  open.splice(0).forEach((h) => h.close())
}
