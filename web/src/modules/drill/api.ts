/** Types and calls of the drill API (/api/v1/drills). */
import { api } from '@/api'
import type { Page } from '@/types'

export const KINDS = ['fire', 'earthquake', 'intruder', 'evacuation'] as const

export interface Drill {
  id: number
  school_id: number
  school_code: string
  school_name: string
  kind: string
  title: string
  scenario: string
  status: 'planned' | 'in_progress' | 'completed' | 'evaluated' | 'cancelled'
  scheduled_at: string
  planned_participants: number
  started_at: string | null
  ended_at: string | null
  participants: number | null
  timings: Record<string, number>
  duration_s: number | null
  alarm_window_id: number | null
  alarm_presses: number
  score: number | null
  notes: string | null
}

export interface DrillStatsRow {
  key: string
  name: string
  planned: number
  conducted: number
  evaluated: number
  cancelled: number
  avg_score: number | null
  avg_evacuation_s: number | null
}

export const drillApi = {
  list: (query: Record<string, string | number | undefined>) => api.get<Page<Drill>>('/drills', query),
  plan: (body: Record<string, unknown>) => api.post<Drill>('/drills', body),
  start: (id: number) => api.post<Drill>(`/drills/${id}/start`, {}),
  stop: (id: number, body: Record<string, unknown>) => api.post<Drill>(`/drills/${id}/stop`, body),
  evaluate: (id: number, body: Record<string, unknown>) => api.post<Drill>(`/drills/${id}/evaluate`, body),
  cancel: (id: number) => api.post<Drill>(`/drills/${id}/cancel`, {}),
  stats: () => api.get<{ items: DrillStatsRow[]; total: DrillStatsRow }>('/drills/stats', { by: 'district' }),
}

export function drillStatusTag(s: string): 'success' | 'warning' | 'info' | 'primary' | 'danger' {
  return s === 'evaluated' ? 'success' : s === 'completed' ? 'primary' : s === 'in_progress' ? 'danger' : s === 'cancelled' ? 'info' : 'warning'
}
