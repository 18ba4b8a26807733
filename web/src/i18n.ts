/** vue-i18n set-up: zh-CN by default, English on request, choice kept in localStorage. */
import { computed } from 'vue'
import { createI18n } from 'vue-i18n'
import elZhCn from 'element-plus/es/locale/lang/zh-cn'
import elEn from 'element-plus/es/locale/lang/en'
import zhCN from './locales/zh-CN'
import en from './locales/en'

export type AppLocale = 'zh-CN' | 'en'
export const LOCALES: { value: AppLocale; label: string }[] = [
  { value: 'zh-CN', label: '简体中文' },
  { value: 'en', label: 'English' },
]
const STORAGE_KEY = 'cg.locale'

function initialLocale(): AppLocale {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(STORAGE_KEY) : null
  return saved === 'en' || saved === 'zh-CN' ? saved : 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  globalInjection: true,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  missingWarn: false,
  fallbackWarn: false,
  messages: { 'zh-CN': zhCN, en },
})

/** Merge a module's messages into the global catalogue (deep merge). */
export function addMessages(messages: Partial<Record<AppLocale, Record<string, unknown>>>): void {
  for (const [locale, msgs] of Object.entries(messages)) {
    if (msgs) i18n.global.mergeLocaleMessage(locale, msgs as never)
  }
}

export function setLocale(locale: AppLocale): void {
  i18n.global.locale.value = locale
  localStorage.setItem(STORAGE_KEY, locale)
  document.documentElement.lang = locale
}

export const currentLocale = computed<AppLocale>(() => i18n.global.locale.value as AppLocale)
export const elementLocale = computed(() => (currentLocale.value === 'en' ? elEn : elZhCn))

/** Translate `${prefix}.${value}` or fall back to the raw value (for enum-like API fields). */
export function label(prefix: string, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—'
  const key = `${prefix}.${value}`
  return i18n.global.te(key) || i18n.global.te(key, 'zh-CN') ? i18n.global.t(key) : value
}

/** Human label for an event type such as "alarm.raised" (modules add `eventTypes.alarm_raised`). */
export function eventTypeLabel(type: string): string {
  const exact = `eventTypes.${type.replace(/\./g, '_')}`
  if (i18n.global.te(exact) || i18n.global.te(exact, 'zh-CN')) return i18n.global.t(exact)
  const family = `eventTypes.${type.split('.')[0]}`
  if (i18n.global.te(family) || i18n.global.te(family, 'zh-CN')) return `${i18n.global.t(family)} · ${type.split('.').slice(1).join('.')}`
  return type
}
