/** Types and calls of the hazard API (/api/v1/hazards), photo upload and protected photo URLs. */
import { ApiError, api, freshAccessToken } from '@/api'
import type { Page } from '@/types'

export const CATEGORIES = ['fire', 'building', 'electrical', 'food', 'traffic', 'perimeter', 'equipment', 'other'] as const
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const
export const STATUSES = ['reported', 'assigned', 'rectified', 'verified', 'rejected'] as const
export type HazardAction = 'assign' | 'rectify' | 'verify' | 'reject'

export interface HazardPhoto {
  id: number
  stage: 'report' | 'rectification' | 'verification'
  url: string
  width: number
  height: number
  uploaded_by: string
  created_at: string
}

export interface HazardLog {
  at: string
  action: string
  from_status: string | null
  to_status: string | null
  actor: string
  note: string | null
}

export interface Hazard {
  id: number
  school_id: number
  school_code: string
  school_name: string
  district_code: string
  area_id: number | null
  area_name: string | null
  category: string
  severity: (typeof SEVERITIES)[number]
  status: (typeof STATUSES)[number]
  description: string
  location: string
  lat: number | null
  lon: number | null
  source: string
  reported_by: string
  reported_at: string
  assignee_name: string | null
  assigned_at: string | null
  due_at: string | null
  rectified_at: string | null
  rectification_note: string | null
  verified_at: string | null
  verified_by: string | null
  reject_count: number
  overdue: boolean
  escalation_level: number
  photo_count: number
  actions: HazardAction[]
}

export interface HazardDetail extends Hazard {
  photos: HazardPhoto[]
  history: HazardLog[]
}

export interface HazardIn {
  school_code: string
  category: string
  severity: string
  description: string
  area_id?: number | null
  location?: string
  lat?: number | null
  lon?: number | null
  client_id?: string
  source?: 'app' | 'console'
}

export interface StatsRow {
  key: string
  name: string
  found: number
  open: number
  rectified: number
  verified: number
  overdue: number
  rectification_rate: number
}

export const hazardApi = {
  list: (query: Record<string, string | number | boolean | undefined>) => api.get<Page<Hazard>>('/hazards', query),
  get: (id: number) => api.get<HazardDetail>(`/hazards/${id}`),
  report: (body: HazardIn) => api.post<Hazard>('/hazards', body),
  act: (id: number, action: HazardAction, body: Record<string, unknown> = {}) =>
    api.post<HazardDetail>(`/hazards/${id}/${action}`, body),
  stats: (by: string) => api.get<{ items: StatsRow[]; total: StatsRow }>('/hazards/stats', { by }),
}

/** Upload one photo (multipart); the server re-encodes it and ignores a duplicate. */
export async function uploadHazardPhoto(id: number, file: Blob, name = 'photo.jpg'): Promise<HazardPhoto> {
  const form = new FormData()
  form.append('file', file, name)
  return api.upload<HazardPhoto>(`/hazards/${id}/photos`, form)
}

/** A protected photo as an object URL (an <img> cannot send the bearer token). */
export async function protectedImage(url: string): Promise<string> {
  const token = await freshAccessToken()
  const res = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} })
  if (!res.ok) throw new ApiError(res.status, { status: res.status })
  return URL.createObjectURL(await res.blob())
}

export function severityTag(s: string): 'danger' | 'warning' | 'primary' | 'info' {
  return s === 'critical' ? 'danger' : s === 'high' ? 'warning' : s === 'medium' ? 'primary' : 'info'
}

export function statusTag(s: string): 'success' | 'warning' | 'danger' | 'info' | 'primary' {
  return s === 'verified' ? 'success' : s === 'rectified' ? 'primary' : s === 'rejected' ? 'danger' : s === 'assigned' ? 'warning' : 'info'
}

/** The phone's position, or null when denied/unavailable (never blocks a report). */
export function currentPosition(timeoutMs = 8000): Promise<{ lat: number; lon: number; accuracy: number } | null> {
  return new Promise((resolve) => {
    if (!('geolocation' in navigator)) return resolve(null)
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60_000 },
    )
  })
}
