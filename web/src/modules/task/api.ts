/** Types and calls of the liaison-task API (/api/v1/tasks). */
import { api } from '@/api'
import type { Page } from '@/types'

export const KINDS = ['inspection', 'follow_up_visit', 'instability_screening', 'patrol_supervision'] as const

export interface Checkin {
  at: string
  lat: number
  lon: number
  accuracy_m: number | null
  distance_m: number | null
  accepted: boolean
  reason: string
  actor: string
}

export interface Task {
  id: number
  school_id: number
  school_code: string
  school_name: string
  kind: string
  title: string
  description: string
  status: 'open' | 'checked_in' | 'done' | 'cancelled'
  officer_user_id: number | null
  officer_name: string | null
  due_at: string
  rule_id: number | null
  created_by: string
  checked_in_at: string | null
  checkin_distance_m: number | null
  checkin_reason: string | null
  findings: string | null
  completed_at: string | null
  overdue: boolean
  hazard_ids: number[]
  photo_count: number
}

export interface TaskDetail extends Task {
  checkins: Checkin[]
  photo_ids: number[]
}

export interface Officer {
  id: number
  username: string
  display_name: string
  role: string
}

export interface Rule {
  id: number
  school_id: number
  school_code: string
  school_name: string
  kind: string
  title: string
  description: string
  created_by: string
  officer_user_id: number | null
  officer_name: string | null
  frequency: 'daily' | 'weekly' | 'monthly'
  interval: number
  next_at: string
  due_hours: number
  active: boolean
}

export const taskApi = {
  list: (query: Record<string, string | number | boolean | undefined>) => api.get<Page<Task>>('/tasks', query),
  get: (id: number) => api.get<TaskDetail>(`/tasks/${id}`),
  create: (body: Record<string, unknown>) => api.post<TaskDetail>('/tasks', body),
  checkin: (id: number, body: { lat: number; lon: number; accuracy_m?: number | null }) =>
    api.post<TaskDetail>(`/tasks/${id}/checkin`, body),
  complete: (id: number, body: Record<string, unknown>) => api.post<TaskDetail>(`/tasks/${id}/complete`, body),
  createRule: (body: Record<string, unknown>) => api.post<Rule>('/tasks/rules', body),
  rules: (query: Record<string, string | number | boolean | undefined>) => api.get<Page<Rule>>('/tasks/rules', query),
  updateRule: (id: number, body: Record<string, unknown>) => api.patch<Rule>(`/tasks/rules/${id}`, body),
  officers: () => api.get<Page<Officer>>('/users', { role: 'liaison_officer', limit: 500 }),
}

export async function uploadTaskPhoto(id: number, file: Blob, name = 'photo.jpg'): Promise<void> {
  const form = new FormData()
  form.append('file', file, name)
  await api.upload<unknown>(`/tasks/${id}/photos`, form)
}

export function taskStatusTag(s: string): 'success' | 'warning' | 'info' | 'primary' {
  return s === 'done' ? 'success' : s === 'checked_in' ? 'primary' : s === 'cancelled' ? 'info' : 'warning'
}
