/** The contract every domain module implements to plug its views into the console. */
import type { Component } from 'vue'
import type { RouteRecordRaw } from 'vue-router'

/** One or several permissions; an array means "any of them". */
export type PermissionNeed = string | string[]

/** A side-menu entry; `title` is an i18n key. */
export interface MenuItem {
  key: string
  title: string
  path: string
  icon?: Component
  permission?: PermissionNeed
  /** Put the entry into a sub-menu; its label is the i18n key `menu.groups.<group>`. */
  group?: string
  /** Lower comes first (core modules use 10..90; leave gaps). */
  order?: number
}

/** Optional look of a sub-menu that items join with `group` (label: i18n `menu.groups.<key>`). */
export interface MenuGroup {
  key: string
  icon?: Component
  /** Position among top-level entries (default: the first item's order). */
  order?: number
}

/** A square on the phone home screen (/m). */
export interface MobileTile {
  key: string
  title: string
  to: string
  icon?: Component
  color?: string
  permission?: PermissionNeed
  order?: number
}

export type LocaleMessages = Record<string, unknown>

export interface CampusModule {
  /** Domain name, e.g. "alarm"; also the namespace of its i18n keys. */
  name: string
  /** Children of the console layout ("/"); give each a `meta.permission` and `meta.title` (i18n key). */
  routes: RouteRecordRaw[]
  menu: MenuItem[]
  /** Icons/positions for the sub-menus this module's items (or others') join. */
  menuGroups?: MenuGroup[]
  messages: { 'zh-CN': LocaleMessages; en: LocaleMessages }
  /** Children of the mobile layout ("/m"). */
  mobileRoutes?: RouteRecordRaw[]
  mobileTiles?: MobileTile[]
  /** Side effects once the user is known, e.g. subscribing to events. */
  setup?: () => void
}

/** Helper giving type checking and autocompletion to module definitions. */
export function defineModule(mod: CampusModule): CampusModule {
  return mod
}

declare module 'vue-router' {
  interface RouteMeta {
    /** Permission(s) needed to open the route (any of them). */
    permission?: PermissionNeed
    /** i18n key of the page title (document title, breadcrumbs). */
    title?: string
    /** Route is reachable without logging in. */
    public?: boolean
  }
}
