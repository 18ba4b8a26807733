/** Calls of the stats API (/api/v1/stats): overview, drill-down, briefings, exports (authenticated downloads). */
import { api, buildUrl, freshAccessToken, type Query } from '@/api'

export interface MetricOut {
  name: string
  label: string
  label_en: string
  unit: 'count' | 'ratio' | 's'
  group: string
  kind: string
  source: string
  higher_is_better: boolean
  value: number | null
  status: 'ok' | 'no_data'
  numerator: number | null
  denominator: number | null
  samples: number | null
}

export interface SchoolPoint {
  id: number
  code: string
  name: string
  district_code: string
  district_name: string
  type: string
  lat: number | null
  lon: number | null
  status: 'green' | 'amber' | 'red' | 'no_data'
  metrics: Record<string, number | null>
}

export interface DistrictRow {
  district_code: string
  district_name: string
  schools: number
  metrics: Record<string, number | null>
}

export interface Overview {
  period: { label: string; kind: string; start: string; end: string; closed: boolean }
  scope: { region: string | null; school: number | null; schools: number; districts: number }
  metrics: MetricOut[]
  alarms: { by_type: { key: string; count: number }[]; by_hour: number[]; by_outcome: { key: string; count: number }[] }
  trend: { granularity: 'day' | 'month'; labels: string[]; series: Record<string, (number | null)[]> }
  districts: DistrictRow[]
  schools?: SchoolPoint[]
}

export interface DrillItem {
  ref_type: string
  ref_id: string
  school_id: number
  school_name: string
  district_name: string
  occurred_at: string | null
  value: number
  label: string
  detail: Record<string, unknown>
}

export interface Briefing {
  id: number
  district_code: string
  district_name: string
  period: string
  created_at: string
  summary: Record<string, number | null>
  pdf_url: string
  xlsx_url: string
}

export interface Filters {
  region?: string | null
  school?: number | null
  period?: string | null
}

export const statsApi = {
  overview: (f: Filters) => api.get<Overview>('/stats/overview', { ...f } as Query),
  drilldown: (metric: string, f: Filters, limit = 50, offset = 0) =>
    api.get<{ items: DrillItem[]; total: number }>('/stats/drilldown', { metric, ...f, limit, offset } as Query),
  briefings: () => api.get<{ items: Briefing[]; total: number }>('/stats/briefings', { limit: 100 }),
  districtsGeo: () => api.get<GeoJSON>('/stats/geo/districts'),
}

export type GeoJSON = { type: 'FeatureCollection'; features: { id?: string; properties: { id: string; name: string } }[] }

/** Download an authenticated file (export or briefing) under a given name. */
export async function download(path: string, query: Query, filename: string): Promise<void> {
  const token = await freshAccessToken()
  const res = await fetch(buildUrl(path, query), { headers: token ? { Authorization: `Bearer ${token}` } : {} })
  if (!res.ok) throw new Error(`HTTP ${res.status}`)
  const url = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** Human value of a metric: 95.3 %, 45 s, 12; null → "—". */
export function fmt(unit: string, value: number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  if (unit === 'ratio') return `${(value * 100).toFixed(1)}%`
  if (unit === 's') return `${Math.round(value)} s`
  return Number.isInteger(value) ? String(value) : value.toFixed(1)
}
