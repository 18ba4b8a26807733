/** Shapes of the CampusGuard REST API (foundation contract, /api/v1). */

export interface Page<T> {
  items: T[]
  total: number
}

export type RoleId =
  | 'city_admin'
  | 'district_police'
  | 'liaison_officer'
  | 'edu_bureau'
  | 'school_admin'
  | 'operator'
  | 'guard'
  | 'parent'
  | 'integrator'

export const ROLES: RoleId[] = [
  'city_admin',
  'district_police',
  'liaison_officer',
  'edu_bureau',
  'school_admin',
  'operator',
  'guard',
  'parent',
  'integrator',
]

export interface TokenResponse {
  access_token: string
  token_type: string
  expires_in: number
  refresh_token?: string
}

export interface Me {
  id: number
  username: string
  display_name: string
  role: RoleId
  region_code: string | null
  school_codes: string[]
  permissions: string[]
  mfa_enabled: boolean
}

export interface Region {
  code: string
  name: string
  level: 'city' | 'district'
  parent_code: string | null
}

export type SchoolType = 'kindergarten' | 'primary' | 'middle' | 'boarding_high'
export const SCHOOL_TYPES: SchoolType[] = ['kindergarten', 'primary', 'middle', 'boarding_high']

export interface School {
  id: number
  code: string
  name: string
  type: SchoolType
  ownership: 'public' | 'private'
  district_code: string
  address: string | null
  lat: number | null
  lon: number | null
  students: number
  staff: number
  guards: number
  grid_id: string | number | null
  grid_name: string | null
  grid_owner: string | null
  principal_name?: string | null
  phone?: string | null
  /** Parents' live-view windows, [["08:30", "11:30"], …] local time, on ISO weekdays 1–7. */
  live_view_windows?: [string, string][]
  live_view_days?: number[]
}

export interface SchoolCounts {
  areas: number
  students: number
  staff: number
  guardians: number
  guards: number
  devices: number
  devices_online: number
}

export interface SchoolDetail extends School {
  counts?: Partial<SchoolCounts>
}

export interface Area {
  id: number
  name: string
  kind: string
  private: boolean
}

export type PersonKind = 'student' | 'staff' | 'guardian' | 'guard'
export const PERSON_KINDS: PersonKind[] = ['student', 'staff', 'guardian', 'guard']

export interface Person {
  id: number
  name: string
  kind: PersonKind
  class_name: string | null
  school_id: number
}

export const DEVICE_TYPES = ['camera', 'alarm_button', 'gate', 'face_terminal', 'speaker', 'sensor'] as const
export type DeviceType = (typeof DEVICE_TYPES)[number]

export interface Device {
  id: number
  code: string
  name: string
  type: DeviceType | string
  school_id: number | null
  school_code: string | null
  area_id: number | null
  vendor: string | null
  model: string | null
  protocol: string | null
  online: boolean
  last_seen: string | null
  status_reason?: string | null
}

export interface User {
  id: number
  username: string
  display_name: string
  role: RoleId
  region_code: string | null
  school_codes: string[]
  mfa_enabled: boolean
  active: boolean
}

export interface AuditEntry {
  id: number
  seq: number
  at: string
  actor: string | null
  role: string | null
  action: string
  target_type: string | null
  target_id: string | number | null
  school_id: number | null
  request_id: string | null
  detail: Record<string, unknown> | null
}

/** A message pushed over /api/v1/ws; payload fields vary by type. */
export interface CampusEvent {
  id?: string
  type: string
  occurred_at?: string
  school_id?: number | null
  district_code?: string | null
  [key: string]: unknown
}
