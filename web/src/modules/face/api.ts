/** Face domain API: watchlists, persons, pass records, alerts, visitors (multipart + protected images). */
import { ApiError, api, buildUrl, freshAccessToken, type Problem } from '@/api'
import type { Page } from '@/types'

export interface Watchlist {
  id: number
  name: string
  kind: 'key_person' | 'roster' | 'visitor'
  school_id: number | null
  region_code: string | null
  purpose: string
  threshold: number | null
  description: string
  active: boolean
  created_at: string
  persons: number
}

export interface FacePerson {
  id: number
  watchlist_id: number
  name: string
  category: string
  risk_level: string | null
  legal_basis: string | null
  expires_at: string | null
  minor: boolean
  guardian_consent: boolean
  active: boolean
  created_at: string
  templates: number[]
}

export interface Capture {
  id: number
  school_id: number
  device_code: string
  direction: string
  captured_at: string
  last_seen_at: string
  frames: number
  status: 'matched' | 'unknown'
  person_id: number | null
  person_name: string | null
  watchlist_kind: string | null
  distance: number | null
  incident_id: number | null
  retain: boolean
}

export interface FaceAlert {
  id: number
  kind: string
  school_id: number
  capture_id: number | null
  person_id: number | null
  template_id: number | null
  distance: number | null
  status: 'pending' | 'confirmed' | 'rejected'
  incident_id: number | null
  decided_by: string | null
  decided_at: string | null
  note: string
  detail: Record<string, unknown>
  created_at: string
}

export interface Visitor {
  id: number
  school_id: number
  name: string
  id_number_masked: string
  host: string
  purpose: string
  valid_from: string
  valid_until: string
  badge_code: string
  status: string
  screening: Record<string, unknown>
  checked_in_at: string | null
  checked_out_at: string | null
  created_at: string
}

/** POST multipart (the JSON helper cannot send files); problem+json becomes ApiError. */
export async function postForm<T>(path: string, form: FormData): Promise<T> {
  const token = await freshAccessToken()
  const res = await fetch(buildUrl(path), {
    method: 'POST',
    body: form,
    headers: token ? { Authorization: `Bearer ${token}`, Accept: 'application/json' } : {},
  })
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({ status: res.status }))) as Problem
    throw new ApiError(res.status, problem)
  }
  return (await res.json()) as T
}

/** A protected JPEG as an object URL (an <img> cannot send the bearer token). */
export async function imageUrl(path: string): Promise<string> {
  const token = await freshAccessToken()
  const res = await fetch(buildUrl(path), { headers: token ? { Authorization: `Bearer ${token}` } : {} })
  if (!res.ok) throw new ApiError(res.status, { status: res.status })
  return URL.createObjectURL(await res.blob())
}

export const faceApi = {
  watchlists: () => api.get<Page<Watchlist>>('/watchlists'),
  createWatchlist: (body: { name: string; kind: string; school_id?: number | null }) =>
    api.post<Watchlist>('/watchlists', body),
  persons: (id: number) => api.get<Page<FacePerson>>(`/watchlists/${id}/persons`, { limit: 200 }),
  deletePerson: (id: number) => api.del<void>(`/face/persons/${id}`),
  updatePerson: (id: number, body: Partial<Pick<FacePerson, 'name' | 'category' | 'risk_level' | 'legal_basis' | 'active'>>) =>
    api.patch<FacePerson>(`/face/persons/${id}`, body),
  deleteWatchlist: (id: number) => api.del<void>(`/watchlists/${id}`),
  captures: (q: Record<string, string | number | undefined>) => api.get<Page<Capture>>('/face/captures', q),
  alerts: (q: Record<string, string | number | undefined>) => api.get<Page<FaceAlert>>('/face/alerts', q),
  decide: (id: number, decision: 'confirm' | 'reject', note: string) =>
    api.post<FaceAlert>(`/face/alerts/${id}/${decision}`, { note }),
  visitors: (q: Record<string, string | number | undefined>) => api.get<Page<Visitor>>('/visitors', q),
  moveVisitor: (id: number, action: 'checkin' | 'checkout') => api.post<Visitor>(`/visitors/${id}/${action}`, {}),
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.code ? `${err.detail} (${err.code})` : err.detail
  return (err as Error).message
}
