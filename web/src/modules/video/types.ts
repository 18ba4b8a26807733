/** Shapes of the video API (see src/campusguard/video/schemas.py). */
export interface Camera {
  id: number
  device_id: number
  device_code: string
  name: string
  school_id: number
  school_code: string
  area_id: number | null
  area_private: boolean
  rtsp_url: string
  sub_url: string | null
  has_credentials: boolean
  codec: string | null
  width: number | null
  height: number | null
  fps: number | null
  bitrate_kbps: number | null
  status: string
  status_reason: string | null
  online: boolean
  recording: boolean
  worker: string | null
  parent_viewer_cap: number
  last_segment_end: string | null
  classes: string[]
}

export interface LiveOut {
  hls_url: string
  expires_at: string
  watermark: string
  session_id: number
}

export interface Span {
  start: string
  end: string
  reason?: string
  id?: number
  bytes?: number
}

export interface Recordings {
  camera_id: number
  start: string
  end: string
  segments: Span[]
  gaps: Span[]
  recorded_s: number
  playlist_url: string | null
  download_url: string | null
}

export interface Clip {
  id: number
  camera_id: number
  start: string
  end: string
  reason: string
  status: string
  sha256: string | null
  bytes: number | null
  signature: string | null
  created_by: string
  created_at: string
  download_url: string | null
}

export interface Viewer {
  id: number
  user_name: string
  role: string
  kind: string
  range_start: string | null
  range_end: string | null
  started_at: string
  last_seen: string
  ip: string | null
}

export interface Issue {
  id: number
  camera_id: number | null
  area_id?: number | null
  school_id: number
  kind: string
  severity: string
  detail: Record<string, unknown>
  first_seen: string
  last_seen: string
  resolved_at: string | null
}

export interface ParentCamera {
  id: number
  name: string
  class_name: string
  school_name: string
  open_now: boolean
  windows: string[][]
}
