/** Types and calls of the rapid-response API (/api/v1/incidents, plans, hand-off). */
import { ApiError, api, buildUrl, freshAccessToken, type Problem } from '@/api'
import type { Page } from '@/types'

export const ALARM_TYPES = ['panic', 'duress', 'intrusion', 'fire', 'medical', 'tamper', 'test', 'device_offline', 'watchlist_hit'] as const
export const STATUSES = ['raised', 'acknowledged', 'dispatched', 'on_scene', 'resolved'] as const
export const OUTCOMES = ['real', 'false_alarm', 'drill', 'test'] as const
export type Status = (typeof STATUSES)[number]
export type Action = 'ack' | 'dispatch' | 'arrive' | 'resolve'

export interface Camera {
  id: number
  code: string
  name: string
  area_id: number | null
  online: boolean
  same_area: boolean
}

export interface Incident {
  id: number
  school_id: number
  district_code: string | null
  area_id: number | null
  device_id: number | null
  type: string
  priority: 'critical' | 'high' | 'medium' | 'low'
  status: Status
  outcome: string | null
  is_drill: boolean
  source: string
  title: string
  lat: number | null
  lon: number | null
  cameras: Camera[]
  plan_id: number | null
  occurred_at: string
  raised_at: string
  acknowledged_at: string | null
  dispatched_at: string | null
  on_scene_at: string | null
  resolved_at: string | null
  acknowledged_by: string | null
  resolved_by: string | null
  escalation_level: number
  detail: Record<string, unknown>
}

export interface Step {
  id: number
  action: string
  from_status: string | null
  to_status: string | null
  at: string
  actor: string
  actor_role: string | null
  detail: Record<string, unknown>
}

export interface Note {
  id: number
  author: string
  text: string
  photo_mime: string | null
  photo_size: number | null
  photo_sha256: string | null
  created_at: string
  photo_url: string | null
}

export interface ChecklistItem {
  step: number
  title: string
  detail: string
  done: boolean
  at: string | null
  actor: string | null
  note: string | null
}

export interface IncidentDetail extends Incident {
  school_name: string | null
  school_code: string | null
  area_name: string | null
  device_code: string | null
  timeline: Step[]
  notes: Note[]
  checklist: ChecklistItem[]
  plan_title: string | null
  plan_version: number | null
  escalation: { status: string; position: number; round: number; next_at: string | null; level: number } | null
}

export interface Delivery {
  id: number
  endpoint_id: number
  incident_id: number
  msg_seq: number
  msg_type: string
  event: string
  status: string
  attempts: number
  last_error: string | null
  next_attempt_at: string | null
  created_at: string
  delivered_at: string | null
}

export interface Endpoint {
  id: number
  name: string
  format: 'cap' | 'json'
  url: string
  district_code: string | null
  enabled: boolean
  include_drills: boolean
  include_tests: boolean
  max_attempts: number
  backoff_s: number
  timeout_s: number
  has_secret: boolean
}

export interface NotificationRow {
  id: number
  channel: string
  target: string
  user_id: number | null
  status: string
  attempts: number
  error: string | null
  response_code: number | null
  created_at: string
  sent_at: string | null
}

export interface Plan {
  id: number
  key: string
  version: number
  alarm_type: string
  school_type: string | null
  title: string
  steps: { title: string; detail?: string }[]
  current: boolean
  created_at: string
  created_by: string | null
}

export interface IncidentQuery {
  status?: string[]
  school_id?: number | ''
  type?: string
  is_drill?: boolean | ''
  open?: boolean
  limit?: number
  offset?: number
}

export const alarmApi = {
  list: (q: IncidentQuery) => api.get<Page<Incident>>('/incidents', q as Record<string, string | number | boolean | string[] | undefined>),
  get: (id: number) => api.get<IncidentDetail>(`/incidents/${id}`),
  act: (id: number, action: Action, body: { note?: string; outcome?: string } = {}) =>
    api.post<IncidentDetail>(`/incidents/${id}/${action}`, body),
  note: (id: number, text: string) => api.post<Note>(`/incidents/${id}/notes`, { text }),
  tick: (id: number, step: number, done: boolean) => api.post<ChecklistItem[]>(`/incidents/${id}/checklist/${step}`, { done }),
  notifications: (id: number) => api.get<NotificationRow[]>(`/incidents/${id}/notifications`),
  handoff: (id: number) => api.get<Delivery[]>(`/incidents/${id}/handoff`),
  plans: () => api.get<Plan[]>('/alarm/plans'),
  editPlan: (id: number, title: string, steps: { title: string; detail: string }[]) =>
    api.put<Plan>(`/alarm/plans/${id}`, { title, steps }),
  endpoints: () => api.get<Endpoint[]>('/handoff/endpoints'),
  createEndpoint: (body: Record<string, unknown>) => api.post<Endpoint>('/handoff/endpoints', body),
  deadLetters: () => api.get<Delivery[]>('/handoff/deliveries', { status: 'dead' }),
  retry: (id: number) => api.post<Delivery>(`/handoff/deliveries/${id}/retry`, {}),
}

/** Upload a scene photo (multipart: the JSON helper cannot send files). */
export async function uploadPhoto(id: number, file: File, text: string): Promise<Note> {
  const token = await freshAccessToken()
  const form = new FormData()
  form.append('file', file)
  form.append('text', text)
  const res = await fetch(buildUrl(`/incidents/${id}/photos`), {
    method: 'POST',
    body: form,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  })
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({ status: res.status }))) as Problem
    throw new ApiError(res.status, problem)
  }
  return (await res.json()) as Note
}

/** A protected photo as an object URL (an <img> cannot send the bearer token). */
export async function photoObjectUrl(url: string): Promise<string> {
  const token = await freshAccessToken()
  const res = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} })
  if (!res.ok) throw new ApiError(res.status, { status: res.status })
  return URL.createObjectURL(await res.blob())
}

/** Element Plus tag type of a priority. */
export function priorityTag(p: string): 'danger' | 'warning' | 'info' | 'primary' {
  return p === 'critical' ? 'danger' : p === 'high' ? 'warning' : p === 'medium' ? 'primary' : 'info'
}

/** Element Plus tag type of a status. */
export function statusTag(s: string): 'danger' | 'warning' | 'success' | 'primary' | 'info' {
  return s === 'raised' ? 'danger' : s === 'resolved' ? 'success' : s === 'acknowledged' ? 'warning' : 'primary'
}

/** The next action an incident in `status` allows (the big button). */
export function nextAction(status: string): Action | null {
  return ({ raised: 'ack', acknowledged: 'dispatch', dispatched: 'arrive', on_scene: 'resolve' } as Record<string, Action>)[status] ?? null
}
