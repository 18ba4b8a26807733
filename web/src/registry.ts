/** Builds routes, menus and phone tiles out of the module registry. */
import type { RouteRecordRaw } from 'vue-router'
import { modules } from './modules'
import type { Component } from 'vue'
import type { MenuGroup, MenuItem, MobileTile, PermissionNeed } from './modules/types'
import { addMessages } from './i18n'

/** A top-level menu entry: a plain item or a group of items. */
export type MenuNode =
  | { kind: 'item'; item: MenuItem }
  | { kind: 'group'; key: string; title: string; order: number; icon?: Component; items: MenuItem[] }

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
  const declared = new Map<string, MenuGroup>()
  for (const m of modules) for (const g of m.menuGroups ?? []) if (!declared.has(g.key)) declared.set(g.key, g)
  const nodes: MenuNode[] = []
  const groups = new Map<string, Extract<MenuNode, { kind: 'group' }>>()
  for (const item of items) {
    if (!item.group) {
      nodes.push({ kind: 'item', item })
      continue
    }
    let group = groups.get(item.group)
    if (!group) {
      const look = declared.get(item.group)
      group = {
        kind: 'group',
        key: item.group,
        title: `menu.groups.${item.group}`,
        order: look?.order ?? item.order ?? 50,
        icon: look?.icon,
        items: [],
      }
      groups.set(item.group, group)
      nodes.push(group)
    }
    group.items.push(item)
  }
  const orderOf = (n: MenuNode) => (n.kind === 'item' ? (n.item.order ?? 50) : n.order)
  return nodes.sort((a, b) => orderOf(a) - orderOf(b))
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
