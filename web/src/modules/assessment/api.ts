/** Calls of the assessment API (/api/v1/assessment). */
import { api } from '@/api'

export interface ResultRow {
  school_id: number
  school_code: string
  school_name: string
  district_code: string
  district_name: string
  school_type: string
  score: number
  rank: number
  rank_district: number
  rank_type: number
  subtotals: Record<string, number>
}

export interface Run {
  id: number
  period: string
  period_kind: string
  period_start: string
  period_end: string
  closed: boolean
  trigger: string
  school_count: number
  result_digest: string
  summary: { average?: number | null; max?: number | null; min?: number | null; schemes?: string[] }
  created_at: string
  created_by: string
  results?: ResultRow[]
}

export interface Line {
  group: string
  indicator: string
  label: string
  metric: string
  value: number | null
  weight: number
  score: number
  rule: Record<string, unknown>
  note: string
  evidence: string
}

export interface Explanation {
  run_id: number
  period: string
  school_id: number
  school_name: string
  district_name: string
  school_type: string
  score: number
  rank: number
  rank_district: number
  rank_type: number
  scheme: { id: number; code: string; version: number } | null
  subtotals: Record<string, number>
  lines: Line[]
  lines_sum: number
  input_digest: string | null
}

export const assessmentApi = {
  runs: () => api.get<{ items: Run[]; total: number }>('/assessment/runs', { limit: 100 }),
  run: (id: number) => api.get<Run>(`/assessment/runs/${id}`),
  create: (period: string) => api.post<Run>('/assessment/runs', { period }),
  explain: (id: number, school: number) => api.get<Explanation>(`/assessment/runs/${id}/schools/${school}`),
}
