/** Builds routes, menus and phone tiles out of the module registry. */
import type { RouteRecordRaw } from 'vue-router'
import { modules } from './modules'
import type { MenuItem, MobileTile, PermissionNeed } from './modules/types'
import { addMessages } from './i18n'

/** A top-level menu entry: a plain item or a group of items. */
export type MenuNode = { kind: 'item'; item: MenuItem } | { kind: 'group'; key: string; title: string; order: number; items: MenuItem[] }

let installed = false

/** Merge every module's messages into vue-i18n (once). */
export function installModuleMessages(): void {
  if (installed) return
  installed = true
  modules.forEach((m) => addMessages(m.messages))
}

export function consoleRoutes(): RouteRecordRaw[] {
  return modules.flatMap((m) => m.routes)
}

export function mobileRoutes(): RouteRecordRaw[] {
  return modules.flatMap((m) => m.mobileRoutes ?? [])
}

/** Menu entries the user may see, grouped and ordered. */
export function buildMenu(can: (need: PermissionNeed | undefined) => boolean): MenuNode[] {
  const items = modules
    .flatMap((m) => m.menu)
    .filter((item) => can(item.permission))
    .sort((a, b) => (a.order ?? 50) - (b.order ?? 50))
  const nodes: MenuNode[] = []
  const groups = new Map<string, Extract<MenuNode, { kind: 'group' }>>()
  for (const item of items) {
    if (!item.group) {
      nodes.push({ kind: 'item', item })
      continue
    }
    let group = groups.get(item.group)
    if (!group) {
      group = { kind: 'group', key: item.group, title: `menu.groups.${item.group}`, order: item.order ?? 50, items: [] }
      groups.set(item.group, group)
      nodes.push(group)
    }
    group.items.push(item)
  }
  return nodes
}

export function buildTiles(can: (need: PermissionNeed | undefined) => boolean): MobileTile[] {
  return modules
    .flatMap((m) => m.mobileTiles ?? [])
    .filter((tile) => can(tile.permission))
    .sort((a, b) => (a.order ?? 50) - (b.order ?? 50))
}

/** Run each module's optional setup hook (after sign-in). */
export function runModuleSetup(): void {
  for (const m of modules) {
    try {
      m.setup?.()
    } catch (err) {
      console.error(`module ${m.name} setup failed`, err)
    }
  }
}
