/** Date and number formatting that follows the current UI language. */
import { currentLocale, i18n } from '@/i18n'

function intlLocale(): string {
  return currentLocale.value === 'en' ? 'en-GB' : 'zh-CN'
}

export function formatDateTime(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—'
  const d = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(d.getTime())) return String(value)
  return d.toLocaleString(intlLocale(), {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  })
}

export function formatTime(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—'
  const d = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(d.getTime())) return String(value)
  return d.toLocaleTimeString(intlLocale(), { hour12: false })
}

/** "3 分钟前" / "3 minutes ago", or the date when older than a week. */
export function formatRelative(value: string | null | undefined, now: number = Date.now()): string {
  if (!value) return i18n.global.t('common.never')
  const d = new Date(value)
  const diff = (d.getTime() - now) / 1000
  if (Number.isNaN(diff)) return String(value)
  const abs = Math.abs(diff)
  if (abs > 7 * 86400) return formatDateTime(d)
  const rtf = new Intl.RelativeTimeFormat(intlLocale(), { numeric: 'auto' })
  if (abs < 60) return rtf.format(Math.round(diff), 'second')
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute')
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), 'hour')
  return rtf.format(Math.round(diff / 86400), 'day')
}

export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—'
  return n.toLocaleString(intlLocale())
}

export function formatPercent(part: number, whole: number): string {
  if (!whole) return '—'
  return `${((part / whole) * 100).toFixed(1)}%`
}
