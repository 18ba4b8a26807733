/** Types and calls of the checklist-template API (/api/v1/hazards/checklists). */
import { api } from '@/api'
import type { Page, SchoolType } from '@/types'

export const CATEGORIES = ['fire', 'building', 'electrical', 'food', 'traffic', 'perimeter', 'equipment', 'other'] as const
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const

export interface ChecklistItem {
  code: string
  text: string
  category: (typeof CATEGORIES)[number]
  severity: (typeof SEVERITIES)[number]
}

export interface Checklist {
  id: number
  school_type: SchoolType
  name: string
  items: ChecklistItem[]
  active: boolean
  builtin: boolean
  scope_key: string
  district_code: string | null
  school_id: number | null
  school_code: string | null
  school_name: string | null
  version: number
  updated_by: string | null
  updated_at: string | null
  editable: boolean
}

export const checklistApi = {
  list: (query: Record<string, string | boolean | undefined>) => api.get<Page<Checklist>>('/hazards/checklists', query),
  create: (body: Record<string, unknown>) => api.post<Checklist>('/hazards/checklists', body),
  update: (id: number, body: Record<string, unknown>) => api.patch<Checklist>(`/hazards/checklists/${id}`, body),
}
