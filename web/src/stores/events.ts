/**
 * Live events over the WebSocket /api/v1/ws: one connection per tab, reconnect with backoff,
 * token refreshed before reconnecting, and a subscription API for other modules:
 *
 *   const events = useEvents()
 *   const off = events.subscribe('alarm.*', (e) => ...)   // 'alarm.raised', ['a', 'b'], '*' or a predicate
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { freshAccessToken, refreshTokens, tokens } from '@/api'
import type { CampusEvent } from '@/types'

export type EventMatcher = string | string[] | ((type: string) => boolean)
export type EventHandler = (event: ReceivedEvent) => void
export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'closed'

export interface ReceivedEvent extends CampusEvent {
  /** Local sequence number, unique within the tab. */
  _seq: number
  /** When the browser received it (ms since epoch). */
  _received: number
}

const MAX_EVENTS = 500
/** The newest events survive a page reload within the tab (sessionStorage). */
const KEEP_KEY = 'cg.events'
const KEEP_COUNT = 100
const MAX_BACKOFF_MS = 30_000
/** The server pings every 20 s: three missed pings mean a dead connection. */
const SILENCE_LIMIT_MS = 65_000
/** Close codes the server uses for an unauthorised socket. */
const AUTH_CLOSE_CODES = new Set([1008, 4001, 4003, 4401, 4403])

/** Does `type` match a subscription pattern? ('*', exact, or a prefix written 'alarm.*' / 'alarm.') */
export function matches(matcher: EventMatcher, type: string): boolean {
  if (typeof matcher === 'function') return matcher(type)
  const list = Array.isArray(matcher) ? matcher : [matcher]
  return list.some((m) => {
    if (m === '*' || m === type) return true
    if (m.endsWith('.*')) return type.startsWith(m.slice(0, -1))
    if (m.endsWith('.')) return type.startsWith(m)
    return false
  })
}

export function socketUrl(token: string): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${proto}//${location.host}/api/v1/ws?token=${encodeURIComponent(token)}`
}

export const useEvents = defineStore('events', () => {
  const events = shallowRef<ReceivedEvent[]>(restore())
  const status = ref<ConnectionStatus>('idle')
  const unread = ref(0)
  const retryAt = ref<number | null>(null)
  const lastMessageAt = ref<number | null>(null)
  const muted = ref(localStorage.getItem('cg.muted') === '1')
  const connected = computed(() => status.value === 'open')

  const subscriptions = new Set<{ matcher: EventMatcher; handler: EventHandler }>()
  const seenIds = new Set<string>()
  let socket: WebSocket | null = null
  let wanted = false
  let attempts = 0
  let seq = events.value.reduce((max, e) => Math.max(max, e._seq), 0)
  let saveTimer: ReturnType<typeof setTimeout> | null = null
  for (const e of events.value) if (e.id !== undefined && e.id !== null) seenIds.add(String(e.id))

  function restore(): ReceivedEvent[] {
    try {
      const raw = sessionStorage.getItem(KEEP_KEY)
      const list = raw ? (JSON.parse(raw) as ReceivedEvent[]) : []
      return Array.isArray(list) ? list.filter((e) => e && typeof e.type === 'string' && typeof e._seq === 'number') : []
    } catch {
      return []
    }
  }

  function persistSoon(): void {
    if (saveTimer) return
    saveTimer = setTimeout(() => {
      saveTimer = null
      try {
        sessionStorage.setItem(KEEP_KEY, JSON.stringify(events.value.slice(0, KEEP_COUNT)))
      } catch {
        /* storage full or disabled: history is a convenience only */
      }
    }, 500)
  }
  let retryTimer: ReturnType<typeof setTimeout> | null = null
  let watchdog: ReturnType<typeof setInterval> | null = null

  /** Call `handler` for each incoming event whose type matches; returns the unsubscribe function. */
  function subscribe(matcher: EventMatcher, handler: EventHandler): () => void {
    const sub = { matcher, handler }
    subscriptions.add(sub)
    return () => subscriptions.delete(sub)
  }

  /** Feed one event (from the socket, or from a module that received it otherwise). */
  function ingest(raw: CampusEvent): void {
    if (!raw || typeof raw.type !== 'string' || raw.type === 'ping' || raw.type === 'pong') return
    if (raw.id !== undefined && raw.id !== null) {
      const id = String(raw.id)
      if (seenIds.has(id)) return
      seenIds.add(id)
      if (seenIds.size > MAX_EVENTS * 4) {
        const first = seenIds.values().next().value
        if (first !== undefined) seenIds.delete(first)
      }
    }
    const event: ReceivedEvent = { ...raw, _seq: ++seq, _received: Date.now() }
    const next = [event, ...events.value]
    if (next.length > MAX_EVENTS) next.length = MAX_EVENTS
    events.value = next
    unread.value += 1
    persistSoon()
    for (const sub of [...subscriptions]) {
      if (!matches(sub.matcher, event.type)) continue
      try {
        sub.handler(event)
      } catch (err) {
        console.error('event subscriber failed', err)
      }
    }
  }

  function clearTimers(): void {
    if (retryTimer) clearTimeout(retryTimer)
    retryTimer = null
    retryAt.value = null
    if (watchdog) clearInterval(watchdog)
    watchdog = null
  }

  function scheduleReconnect(): void {
    if (!wanted) return
    const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempts)
    const delay = Math.round(base * (0.5 + Math.random() / 2))
    attempts += 1
    retryAt.value = Date.now() + delay
    retryTimer = setTimeout(() => {
      retryTimer = null
      retryAt.value = null
      void open()
    }, delay)
  }

  async function open(): Promise<void> {
    if (!wanted || socket) return
    status.value = 'connecting'
    const token = await freshAccessToken()
    if (!wanted) return
    if (!token) {
      status.value = 'closed'
      return
    }
    let ws: WebSocket
    try {
      ws = new WebSocket(socketUrl(token))
    } catch {
      status.value = 'closed'
      scheduleReconnect()
      return
    }
    socket = ws
    ws.onopen = () => {
      attempts = 0
      status.value = 'open'
      lastMessageAt.value = Date.now()
      watchdog = setInterval(() => {
        if (lastMessageAt.value && Date.now() - lastMessageAt.value > SILENCE_LIMIT_MS) ws.close(4000, 'silent')
      }, 10_000)
    }
    ws.onmessage = (msg: MessageEvent) => {
      lastMessageAt.value = Date.now()
      if (typeof msg.data !== 'string') return
      try {
        const data = JSON.parse(msg.data) as CampusEvent | CampusEvent[]
        if (Array.isArray(data)) data.forEach(ingest)
        else ingest(data)
      } catch {
        console.warn('ignored a malformed event message')
      }
    }
    ws.onclose = (ev: CloseEvent) => {
      if (socket === ws) socket = null
      clearTimers()
      status.value = wanted ? 'closed' : 'idle'
      if (!wanted) return
      const authProblem = AUTH_CLOSE_CODES.has(ev.code) || tokens.stale
      if (authProblem) {
        // Renew the token before trying again; give up (logged out) if that fails.
        void refreshTokens().then((ok) => {
          if (ok) scheduleReconnect()
          else if (tokens.expiresAt > Date.now()) scheduleReconnect()
          else status.value = 'closed'
        })
      } else {
        scheduleReconnect()
      }
    }
    ws.onerror = () => {
      /* onclose follows and handles reconnecting */
    }
  }

  /** Open the socket (idempotent); it stays open, reconnecting, until disconnect(). */
  function connect(): void {
    wanted = true
    if (!socket && !retryTimer) void open()
  }

  /** Reconnect now (e.g. the user clicked "retry"). */
  function reconnectNow(): void {
    attempts = 0
    clearTimers()
    if (socket) socket.close(1000, 'reconnect')
    else void open()
  }

  function disconnect(): void {
    wanted = false
    clearTimers()
    const ws = socket
    socket = null
    ws?.close(1000, 'logout')
    status.value = 'idle'
  }

  function markRead(): void {
    unread.value = 0
  }

  function clear(): void {
    events.value = []
    unread.value = 0
    seenIds.clear()
    sessionStorage.removeItem(KEEP_KEY)
  }

  function setMuted(value: boolean): void {
    muted.value = value
    localStorage.setItem('cg.muted', value ? '1' : '0')
  }

  return {
    events,
    status,
    connected,
    unread,
    retryAt,
    lastMessageAt,
    muted,
    subscribe,
    ingest,
    connect,
    disconnect,
    reconnectNow,
    markRead,
    clear,
    setMuted,
  }
})
