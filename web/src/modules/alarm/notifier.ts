/** The alarm pop-up: new, escalated and undeliverable alarms pop with sound; a click opens the incident. */
import { ElNotification, type NotificationHandle } from 'element-plus'
import { i18n } from '@/i18n'
import { useAuth } from '@/stores/auth'
import { useEvents, type ReceivedEvent } from '@/stores/events'
import { beep } from '@/utils/beep'
import { isNarrow } from '@/utils/responsive'

const POPPING = new Set(['alarm.raised', 'alarm.escalated', 'alarm.handoff_dead'])
const BEEP_GAP_MS = 2000
const open: { handle: NotificationHandle; id: number }[] = []
let lastBeep = 0
let viewing: number | null = null

/**
 * The incident open on screen: its own pop-ups are closed and no new ones stack over its action
 * buttons (the page already shows them live); null when the detail page closes.
 */
export function setViewing(id: number | null): void {
  viewing = id
  if (id === null) return
  for (const entry of open.filter((o) => o.id === id)) entry.handle.close()
}

function openIncident(id: number): void {
  const mobile = location.pathname === '/m' || location.pathname.startsWith('/m/')
  // Imported lazily: the router imports the module registry, which imports this module.
  void import('@/router').then(({ router }) =>
    router.push({ name: mobile ? 'm-alarm-incident' : 'alarm-incident', params: { id } }).catch(() => undefined),
  )
}

/** Pop one alarm event; other alarm.* events only refresh the views that show them. */
export function popAlarm(e: ReceivedEvent): void {
  if (!POPPING.has(e.type) || typeof e.incident_id !== 'number') return
  const t = i18n.global.t
  const id = e.incident_id
  if (id === viewing) return
  const drill = e.is_drill === true
  const lowPriority = e.priority === 'low'
  let message = typeof e.title === 'string' ? e.title : `#${id}`
  if (e.type === 'alarm.escalated') {
    const me = useAuth().me?.id
    const forMe = Array.isArray(e.user_ids) && me != null && (e.user_ids as number[]).includes(me)
    const target = t(`alarm.targets.${String(e.target)}`)
    const what = Number(e.level) > 1 ? t('alarm.escalatedTo', { target }) : t('alarm.notifiedFirst', { target })
    message = `#${id} ${what}${forMe ? ' · ' + t('alarm.forYou') : ''}`
  } else if (e.type === 'alarm.handoff_dead') {
    message = `#${id} ${t('alarm.handoffDead', { endpoint: String(e.endpoint ?? '') })}`
  }
  const limit = isNarrow.value ? 2 : 4
  while (open.length >= limit) open.shift()?.handle.close()
  const urgent = e.type !== 'alarm.handoff_dead' && !lowPriority
  const handle = ElNotification({
    title: (drill ? `[${t('alarm.drill')}] ` : '') + t(`eventTypes.${e.type.replace('.', '_')}`),
    message,
    type: urgent ? (drill ? 'warning' : 'error') : 'warning',
    duration: urgent ? 0 : 8000,
    position: 'top-right',
    customClass: urgent ? 'cg-alarm-notification urgent' : 'cg-alarm-notification',
    onClick: () => {
      handle.close()
      openIncident(id)
    },
    onClose: () => {
      const i = open.findIndex((o) => o.handle === handle)
      if (i >= 0) open.splice(i, 1)
    },
  })
  open.push({ handle, id })
  if (urgent && !useEvents().muted && Date.now() - lastBeep > BEEP_GAP_MS) {
    lastBeep = Date.now()
    beep(drill ? 1 : 3)
  }
}
