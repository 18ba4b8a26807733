/** Types and calls of duty registration (/api/v1/patrol, /api/v1/rollcalls), multipart uploads included. */
import { ApiError, api, buildUrl, freshAccessToken, type Problem } from '@/api'
import type { Page } from '@/types'

export interface Checkpoint {
  id: number
  school_id: number
  area_id: number | null
  name: string
  lat: number
  lon: number
  radius_m: number
  qr_version: number
  qr_expires_at: string
  active: boolean
}

export interface Shift {
  id: number
  school_id: number
  guard_user_id: number
  route_id: number | null
  post: string
  starts_at: string
  ends_at: string
  last_seen_at: string | null
}

export interface StopProgress {
  stop_id: number
  seq: number
  checkpoint_id: number
  checkpoint_name: string
  planned_at: string
  due_by: string
  status: 'done' | 'late' | 'pending' | 'missed'
  checked_at: string | null
}

export interface PendingRollCall {
  rollcall_id: number
  deadline_at: string
  started_by_name: string
}

export interface Duty {
  shift: Shift | null
  route_name: string | null
  stops: StopProgress[]
  pending_rollcalls: PendingRollCall[]
}

export interface CheckinIn {
  token: string
  lat: number
  lon: number
  accuracy_m?: number | null
  photo_id?: number | null
  client_id: string
  scanned_at?: string
}

export interface Checkin {
  id: number
  checkpoint_id: number
  scanned_at: string
  distance_m: number
  on_time: boolean
  duplicate: boolean
}

export interface Anomaly {
  id: number
  school_id: number | null
  kind: string
  guard_user_id: number | null
  checkpoint_id: number | null
  shift_id: number | null
  detail: Record<string, unknown>
  occurred_at: string
  acknowledged_at: string | null
}

export interface ComplianceCheck {
  code: string
  ok: boolean
  required: number
  actual: number
  detail: string
}

export interface SchoolCompliance {
  school_id: number
  school_code: string
  school_name: string
  students: number
  ok: boolean
  district_code: string
  checks: ComplianceCheck[]
}

export interface RollCallRow {
  guard_user_id: number
  guard_name: string
  school_id: number
  school_code: string | null
  status: 'pending' | 'answered' | 'late' | 'missing'
  answered_at: string | null
  distance_m: number | null
  photo_id: number | null
}

export interface RollCallResult {
  id: number
  scope: Record<string, unknown>
  started_by_name: string
  started_at: string
  deadline_at: string
  closed: boolean
  totals: { answered: number; late: number; missing: number; pending: number }
  schools: { school_id: number; school_code: string; school_name: string; on_duty: number; answered: number; late: number; missing: number; pending: number }[]
  guards: RollCallRow[]
}

export interface RollCallSummary {
  id: number
  scope: Record<string, unknown>
  started_by_name: string
  started_at: string
  deadline_at: string
  closed: boolean
}

export const patrolApi = {
  duty: () => api.get<Duty>('/patrol/duty'),
  checkin: (body: CheckinIn) => api.post<Checkin>('/patrol/checkins', body),
  location: (lat: number, lon: number, accuracy_m?: number) => api.post<Shift>('/patrol/locations', { lat, lon, accuracy_m }),
  checkpoints: (schoolId?: number) => api.get<Page<Checkpoint>>('/patrol/checkpoints', { school_id: schoolId, limit: 500 }),
  createCheckpoint: (body: { school_id: number; name: string; lat: number; lon: number; radius_m: number }) =>
    api.post<Checkpoint>('/patrol/checkpoints', body),
  rotate: (id: number) => api.post<Checkpoint>(`/patrol/checkpoints/${id}/rotate`, {}),
  token: (id: number) => api.get<{ token: string; short_code: string; version: number; expires_at: string }>(`/patrol/checkpoints/${id}/token`),
  shifts: (schoolId?: number, active = false) => api.get<Page<Shift>>('/patrol/shifts', { school_id: schoolId, active, limit: 200 }),
  anomalies: (schoolId?: number) => api.get<Page<Anomaly>>('/patrol/anomalies', { school_id: schoolId, limit: 200 }),
  ack: (id: number) => api.post<Anomaly>(`/patrol/anomalies/${id}/ack`),
  compliance: (district?: string) => api.get<Page<SchoolCompliance> & { compliant: number }>('/patrol/compliance', { district_code: district }),
  startRollCall: (body: { school_codes?: string[]; district_code?: string; all?: boolean; answer_within_s: number }) =>
    api.post<RollCallResult>('/rollcalls', body),
  rollcalls: () => api.get<Page<RollCallSummary>>('/rollcalls', { limit: 50 }),
  rollcall: (id: number) => api.get<RollCallResult>(`/rollcalls/${id}`),
}

async function postForm<T>(path: string, form: FormData): Promise<T> {
  const token = await freshAccessToken()
  let res: Response
  try {
    res = await fetch(buildUrl(path), { method: 'POST', body: form, headers: token ? { Authorization: `Bearer ${token}` } : {} })
  } catch (err) {
    throw new ApiError(0, { title: 'Network error', detail: (err as Error).message, code: 'network' })
  }
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({ status: res.status }))) as Problem
    throw new ApiError(res.status, problem)
  }
  return (await res.json()) as T
}

export function uploadDutyPhoto(file: Blob): Promise<{ id: number }> {
  const form = new FormData()
  form.append('file', file, 'duty.jpg')
  return postForm('/patrol/photos', form)
}

export function answerRollCall(id: number, photo: Blob, lat: number, lon: number): Promise<{ status: string; distance_m: number | null }> {
  const form = new FormData()
  form.append('photo', photo, 'live.jpg')
  form.append('lat', String(lat))
  form.append('lon', String(lon))
  return postForm(`/rollcalls/${id}/answer`, form)
}

/** A protected file (QR sheet PDF, photo) opened in a new tab: the bearer token cannot ride on a link. */
export async function openProtected(path: string): Promise<void> {
  const token = await freshAccessToken()
  const res = await fetch(buildUrl(path), { headers: token ? { Authorization: `Bearer ${token}` } : {} })
  if (!res.ok) throw new ApiError(res.status, (await res.json().catch(() => ({ status: res.status }))) as Problem)
  const url = URL.createObjectURL(await res.blob())
  window.open(url, '_blank')
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

/** A fresh GPS fix (no cached position: a check-in must prove where the guard is now). */
export function currentPosition(timeoutMs = 8000, maximumAgeMs = 0): Promise<{ lat: number; lon: number; accuracy: number } | null> {
  return new Promise((resolve) => {
    if (!('geolocation' in navigator)) return resolve(null)
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: maximumAgeMs },
    )
  })
}
