/** Regions and schools of the user's scope, loaded once and shared by every view. */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { api, fetchAll } from '@/api'
import type { Page, Region, School } from '@/types'

export const useOrg = defineStore('org', () => {
  const regions = shallowRef<Region[]>([])
  const schools = shallowRef<School[]>([])
  const loading = ref(false)
  const error = ref<string | null>(null)
  const loadedAt = ref<number | null>(null)
  let pending: Promise<void> | null = null

  const regionByCode = computed(() => new Map(regions.value.map((r) => [r.code, r])))
  const schoolById = computed(() => new Map(schools.value.map((s) => [s.id, s])))
  const schoolByCode = computed(() => new Map(schools.value.map((s) => [s.code, s])))

  /** Load regions and every school in scope (cached; `force` reloads). */
  function load(force = false): Promise<void> {
    if (pending) return pending
    if (loadedAt.value && !force) return Promise.resolve()
    loading.value = true
    error.value = null
    pending = (async () => {
      try {
        const [r, s] = await Promise.all([api.get<Page<Region>>('/regions', { limit: 1000 }), fetchAll<School>('/schools')])
        regions.value = r.items
        schools.value = s
        loadedAt.value = Date.now()
      } catch (err) {
        error.value = (err as Error).message
        throw err
      } finally {
        loading.value = false
        pending = null
      }
    })()
    return pending
  }

  function regionName(code: string | null | undefined): string {
    if (!code) return '—'
    return regionByCode.value.get(code)?.name ?? code
  }

  function schoolName(id: number | null | undefined): string {
    if (id === null || id === undefined) return '—'
    return schoolById.value.get(id)?.name ?? `#${id}`
  }

  /** Codes of `code` and every region below it. */
  function regionAndDescendants(code: string): Set<string> {
    const out = new Set<string>([code])
    let grew = true
    while (grew) {
      grew = false
      for (const r of regions.value) {
        if (r.parent_code && out.has(r.parent_code) && !out.has(r.code)) {
          out.add(r.code)
          grew = true
        }
      }
    }
    return out
  }

  function schoolsIn(code: string | null | undefined): School[] {
    if (!code) return schools.value
    const codes = regionAndDescendants(code)
    return schools.value.filter((s) => codes.has(s.district_code))
  }

  function reset(): void {
    regions.value = []
    schools.value = []
    loadedAt.value = null
  }

  return {
    regions,
    schools,
    loading,
    error,
    regionByCode,
    schoolById,
    schoolByCode,
    load,
    regionName,
    schoolName,
    schoolsIn,
    reset,
  }
})
