/** Permission checks shared by the router guard, menus and tiles. */
import type { PermissionNeed } from '@/modules/types'

/** True when `need` is empty or any of the needed permissions is granted. */
export function allows(granted: ReadonlySet<string>, need: PermissionNeed | undefined): boolean {
  if (!need || (Array.isArray(need) && need.length === 0)) return true
  const list = Array.isArray(need) ? need : [need]
  return list.some((p) => granted.has(p) || granted.has('*'))
}
