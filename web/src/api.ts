/**
 * Fetch wrapper for /api/v1: adds the bearer token, refreshes once on 401 through the
 * refresh token, and turns RFC 7807 problem+json answers into a typed ApiError.
 */
import type { TokenResponse } from './types'

export const API_BASE = '/api/v1'
const STORAGE_KEY = 'cg.tokens'
/** Refresh a little before the server would reject the token. */
const EXPIRY_MARGIN_MS = 30_000

/** The problem+json body the backend sends for every 4xx/5xx. */
export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  code?: string
  [key: string]: unknown
}

/** A failed API call: HTTP status plus the problem document (or a synthesised one). */
export class ApiError extends Error {
  readonly status: number
  readonly code: string | undefined
  readonly title: string
  readonly detail: string
  readonly problem: Problem

  constructor(status: number, problem: Problem) {
    const detail = problem.detail || problem.title || `HTTP ${status}`
    super(detail)
    this.name = 'ApiError'
    this.status = status
    this.code = problem.code
    this.title = problem.title || `HTTP ${status}`
    this.detail = detail
    this.problem = problem
  }

  /** True when the server could not be reached at all (status 0). */
  get isNetwork(): boolean {
    return this.status === 0
  }
}

interface StoredTokens {
  access_token: string
  refresh_token: string | null
  expires_at: number
}

function load(): StoredTokens | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY)
    if (!raw) return null
    const parsed = JSON.parse(raw) as StoredTokens
    return typeof parsed.access_token === 'string' ? parsed : null
  } catch {
    return null
  }
}

let current: StoredTokens | null = load()
const authLostListeners = new Set<() => void>()
const tokenListeners = new Set<(token: string | null) => void>()

/** Token holder shared by the REST client and the WebSocket. */
export const tokens = {
  get access(): string | null {
    return current?.access_token ?? null
  },
  get refresh(): string | null {
    return current?.refresh_token ?? null
  },
  get expiresAt(): number {
    return current?.expires_at ?? 0
  },
  /** True when the access token is missing or about to expire. */
  get stale(): boolean {
    return !current || Date.now() > current.expires_at - EXPIRY_MARGIN_MS
  },
  set(t: TokenResponse): void {
    current = {
      access_token: t.access_token,
      refresh_token: t.refresh_token ?? current?.refresh_token ?? null,
      expires_at: Date.now() + Math.max(1, t.expires_in || 900) * 1000,
    }
    localStorage.setItem(STORAGE_KEY, JSON.stringify(current))
    tokenListeners.forEach((fn) => fn(current!.access_token))
  },
  clear(): void {
    current = null
    localStorage.removeItem(STORAGE_KEY)
    tokenListeners.forEach((fn) => fn(null))
  },
}

/** Called when the session cannot be renewed (refresh failed): the app goes to the login page. */
export function onAuthLost(fn: () => void): () => void {
  authLostListeners.add(fn)
  return () => authLostListeners.delete(fn)
}

/** Called whenever the access token changes (login, refresh, logout). */
export function onTokenChange(fn: (token: string | null) => void): () => void {
  tokenListeners.add(fn)
  return () => tokenListeners.delete(fn)
}

// Another tab logged in/out: follow it.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (e) => {
    if (e.key !== STORAGE_KEY) return
    current = load()
    tokenListeners.forEach((fn) => fn(current?.access_token ?? null))
  })
}

export type QueryValue = string | number | boolean | null | undefined
export type Query = Record<string, QueryValue | QueryValue[]>

export interface RequestOptions {
  query?: Query
  json?: unknown
  form?: Record<string, string>
  /** multipart/form-data (files); the browser sets the boundary header itself. */
  multipart?: FormData
  signal?: AbortSignal
  /** Send the bearer token and refresh on 401 (default true). */
  auth?: boolean
  headers?: Record<string, string>
}

/** Build "/api/v1/path?x=1" leaving out empty filter values. */
export function buildUrl(path: string, query?: Query): string {
  const base = path.startsWith('/api/') ? path : API_BASE + (path.startsWith('/') ? path : '/' + path)
  if (!query) return base
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value]
    for (const v of values) {
      if (v === undefined || v === null || v === '') continue
      params.append(key, String(v))
    }
  }
  const qs = params.toString()
  return qs ? `${base}?${qs}` : base
}

async function toError(res: Response): Promise<ApiError> {
  let problem: Problem = { status: res.status, title: res.statusText }
  const type = res.headers.get('content-type') || ''
  try {
    if (type.includes('json')) {
      const body = (await res.json()) as Problem & { detail?: unknown }
      // FastAPI's own validation errors carry a list in "detail".
      if (Array.isArray(body.detail)) {
        const first = body.detail[0] as { msg?: string; loc?: unknown[] } | undefined
        problem = {
          ...problem,
          title: 'Validation error',
          detail: first ? `${(first.loc ?? []).join('.')}: ${first.msg ?? ''}` : 'Invalid input',
          code: 'validation_error',
          errors: body.detail,
        }
      } else {
        problem = { ...problem, ...body, detail: typeof body.detail === 'string' ? body.detail : undefined }
      }
    } else {
      const text = (await res.text()).trim()
      if (text && text.length < 300) problem.detail = text
    }
  } catch {
    /* keep the synthesised problem */
  }
  return new ApiError(res.status, problem)
}

let refreshing: Promise<boolean> | null = null

/** Exchange the refresh token for a new pair; concurrent callers share one request. */
export function refreshTokens(): Promise<boolean> {
  if (refreshing) return refreshing
  const refreshToken = tokens.refresh
  if (!refreshToken) return Promise.resolve(false)
  refreshing = (async () => {
    try {
      const res = await fetch(buildUrl('/auth/refresh'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ refresh_token: refreshToken }),
      })
      if (!res.ok) return false
      tokens.set((await res.json()) as TokenResponse)
      return true
    } catch {
      return false
    } finally {
      refreshing = null
    }
  })()
  return refreshing
}

/** A valid access token, refreshed first if it is about to expire; null when logged out. */
export async function freshAccessToken(): Promise<string | null> {
  if (!tokens.access) return null
  if (tokens.stale) {
    const ok = await refreshTokens()
    if (!ok && tokens.expiresAt <= Date.now()) {
      tokens.clear()
      authLostListeners.forEach((fn) => fn())
      return null
    }
  }
  return tokens.access
}

async function send(method: string, url: string, opts: RequestOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers }
  let body: BodyInit | undefined
  if (opts.form) {
    body = new URLSearchParams(opts.form)
    headers['Content-Type'] = 'application/x-www-form-urlencoded'
  } else if (opts.multipart) {
    body = opts.multipart
  } else if (opts.json !== undefined) {
    body = JSON.stringify(opts.json)
    headers['Content-Type'] = 'application/json'
  }
  if (token) headers.Authorization = `Bearer ${token}`
  try {
    return await fetch(url, { method, headers, body, signal: opts.signal })
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err
    throw new ApiError(0, { title: 'Network error', detail: (err as Error).message, code: 'network' })
  }
}

/** Perform one API call and decode its JSON answer (undefined for 204). */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const url = buildUrl(path, opts.query)
  const useAuth = opts.auth !== false
  const token = useAuth ? await freshAccessToken() : null
  let res = await send(method, url, opts, token)
  if (res.status === 401 && useAuth && token) {
    if (await refreshTokens()) {
      res = await send(method, url, opts, tokens.access)
    }
    if (res.status === 401) {
      tokens.clear()
      authLostListeners.forEach((fn) => fn())
    }
  }
  if (!res.ok) throw await toError(res)
  if (res.status === 204) return undefined as T
  const type = res.headers.get('content-type') || ''
  return (type.includes('json') ? await res.json() : await res.text()) as T
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, json?: unknown) => request<T>('POST', path, { json }),
  put: <T>(path: string, json?: unknown) => request<T>('PUT', path, { json }),
  patch: <T>(path: string, json?: unknown) => request<T>('PATCH', path, { json }),
  del: <T>(path: string) => request<T>('DELETE', path),
  /** POST a multipart form (files), with the same token refresh and problem+json errors as the rest. */
  upload: <T>(path: string, form: FormData, query?: Query) => request<T>('POST', path, { multipart: form, query }),
}

/** OAuth2 password flow; throws ApiError with code mfa_required / mfa_invalid / bad_credentials. */
export async function login(username: string, password: string, otp?: string): Promise<TokenResponse> {
  const form: Record<string, string> = { username, password, grant_type: 'password' }
  if (otp) form.otp = otp
  const t = await request<TokenResponse>('POST', '/auth/token', { form, auth: false })
  tokens.set(t)
  return t
}

/** Fetch every page of a list endpoint (for small reference lists such as schools of a scope). */
export async function fetchAll<T>(path: string, query: Query = {}, pageSize = 500, max = 50000): Promise<T[]> {
  const first = await api.get<{ items: T[]; total: number }>(path, { ...query, limit: pageSize, offset: 0 })
  const items = [...first.items]
  const total = Math.min(first.total ?? items.length, max)
  if (first.items.length === 0 || items.length >= total) return items
  const step = first.items.length
  const offsets: number[] = []
  for (let off = step; off < total; off += step) offsets.push(off)
  // A few requests at a time: fast without flooding a small server.
  for (let i = 0; i < offsets.length; i += 4) {
    const pages = await Promise.all(
      offsets.slice(i, i + 4).map((offset) => api.get<{ items: T[] }>(path, { ...query, limit: step, offset })),
    )
    pages.forEach((p) => items.push(...p.items))
  }
  return items
}
