/** Types and calls of publicity: bulletins, read receipts, lessons, anonymous reports, broadcasts. */
import { ApiError, api, buildUrl, freshAccessToken, request, type Problem } from '@/api'
import type { Page } from '@/types'

export const CATEGORIES = ['anti_fraud', 'anti_bullying', 'traffic', 'fire', 'drowning', 'food', 'law', 'health', 'weather', 'other'] as const
export const REPORT_CATEGORIES = ['bullying', 'violence', 'harassment', 'safety_hazard', 'self_harm', 'fraud', 'other'] as const
export const SCHOOL_TYPES = ['kindergarten', 'primary', 'middle', 'boarding_high'] as const
export const READER_ROLES = ['city_admin', 'district_police', 'liaison_officer', 'edu_bureau', 'school_admin', 'operator', 'guard', 'parent'] as const

export interface Attachment { id: number; filename: string; content_type: string; size: number }
export interface Bulletin {
  id: number
  title: string
  category: string
  body_html: string
  region_code: string | null
  target_districts: string[]
  target_school_types: string[]
  target_roles: string[]
  published_at: string | null
  author_name: string
  read: boolean
  attachments: Attachment[]
}
export interface BulletinStats { audience: number; read: number; read_rate: number; by_role: Record<string, { audience: number; read: number; read_rate: number }> }
export interface Lesson { id: number; school_id: number; topic: string; title: string; given_at: string; teacher: string; classes: string; attendees: number; notes: string }
export interface ReportMessage { author: 'reporter' | 'handler'; role: string | null; body: string; at: string }
export interface ReporterView { case_number: string; status: string; category: string; created_at: string; messages: ReportMessage[] }
export interface HandlerReport { id: number; case_number: string; school_id: number; category: string; description: string; status: string; created_at: string; messages?: ReportMessage[] }
export interface Delivery { device_id: number; device_code: string; school_id: number; status: string; attempts: number; detail: string; played_s: number | null; delivered_at: string | null }
export interface Broadcast { id: number; title: string; source: string; text: string | null; duration_s: number | null; scheduled_at: string; status: string; created_by_name: string; deliveries: Delivery[] }

export const bulletinApi = {
  list: (category?: string) => api.get<Page<Bulletin>>('/bulletins', { category, limit: 100 }),
  get: (id: number) => api.get<Bulletin>(`/bulletins/${id}`),
  publish: (body: Record<string, unknown>) => api.post<Bulletin>('/bulletins', body),
  read: (id: number) => api.post<{ read_at: string }>(`/bulletins/${id}/read`),
  stats: (id: number) => api.get<BulletinStats>(`/bulletins/${id}/stats`),
  lessons: () => api.get<Page<Lesson>>('/safety-lessons', { limit: 200 }),
  logLesson: (body: Record<string, unknown>) => api.post<Lesson>('/safety-lessons', body),
  submitReport: (body: { school_code: string; category: string; description: string }) =>
    request<{ case_number: string; follow_up_code: string; status: string }>('POST', '/reports', { json: body, auth: false }),
  followUp: (case_number: string, code: string) => request<ReporterView>('POST', '/reports/follow-up', { json: { case_number, code }, auth: false }),
  addMessage: (case_number: string, code: string, body: string) =>
    request<ReporterView>('POST', '/reports/follow-up/messages', { json: { case_number, code, body }, auth: false }),
  reports: (status?: string) => api.get<Page<HandlerReport>>('/reports', { status, limit: 200 }),
  report: (id: number) => api.get<HandlerReport>(`/reports/${id}`),
  reply: (id: number, body: string, status?: string) => api.post<HandlerReport>(`/reports/${id}/reply`, { body, status }),
  broadcasts: () => api.get<Page<Broadcast>>('/broadcasts', { limit: 50 }),
  broadcast: (body: Record<string, unknown>) => api.post<Broadcast>('/broadcasts', body),
  cancel: (id: number) => api.post<Broadcast>(`/broadcasts/${id}/cancel`),
}

async function authed(path: string, init: RequestInit = {}): Promise<Response> {
  const token = await freshAccessToken()
  let res: Response
  try {
    res = await fetch(buildUrl(path), { ...init, headers: token ? { Authorization: `Bearer ${token}` } : {} })
  } catch (err) {
    throw new ApiError(0, { title: 'Network error', detail: (err as Error).message, code: 'network' })
  }
  if (!res.ok) throw new ApiError(res.status, (await res.json().catch(() => ({ status: res.status }))) as Problem)
  return res
}

export async function uploadAttachment(id: number, file: File): Promise<Attachment> {
  const form = new FormData()
  form.append('file', file, file.name)
  return (await (await authed(`/bulletins/${id}/attachments`, { method: 'POST', body: form })).json()) as Attachment
}

export async function uploadRecording(file: File, title: string, schoolCodes: string[], scheduledAt?: string): Promise<Broadcast> {
  const form = new FormData()
  form.append('file', file, file.name)
  form.append('title', title)
  form.append('school_codes', schoolCodes.join(','))
  if (scheduledAt) form.append('scheduled_at', scheduledAt)
  return (await (await authed('/broadcasts/recording', { method: 'POST', body: form })).json()) as Broadcast
}

/** Download a protected file (attachment, broadcast audio) through the bearer token. */
export async function downloadProtected(path: string, filename: string): Promise<void> {
  const blob = await (await authed(path)).blob()
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 30_000)
}

export async function audioUrl(id: number): Promise<string> {
  return URL.createObjectURL(await (await authed(`/broadcasts/${id}/audio`)).blob())
}
