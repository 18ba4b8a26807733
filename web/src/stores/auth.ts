/** The signed-in user, their permissions, and sign-in / sign-out. */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ApiError, api, login, tokens } from '@/api'
import type { Me } from '@/types'
import type { PermissionNeed } from '@/modules/types'
import { allows } from '@/utils/permissions'

export const useAuth = defineStore('auth', () => {
  const me = ref<Me | null>(null)
  const permissions = computed<ReadonlySet<string>>(() => new Set(me.value?.permissions ?? []))
  const isLoggedIn = computed(() => me.value !== null)

  function can(need: PermissionNeed | undefined): boolean {
    return allows(permissions.value, need)
  }

  async function loadMe(): Promise<Me> {
    me.value = await api.get<Me>('/me')
    return me.value
  }

  /** Load the user from a stored token; false when there is no valid session. */
  async function ensureLoaded(): Promise<boolean> {
    if (me.value) return true
    if (!tokens.access && !tokens.refresh) return false
    try {
      await loadMe()
      return true
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) tokens.clear()
      else if (!(err instanceof ApiError)) throw err
      else if (err.isNetwork) throw err
      return false
    }
  }

  async function signIn(username: string, password: string, otp?: string): Promise<Me> {
    await login(username, password, otp)
    return loadMe()
  }

  function signOut(): void {
    tokens.clear()
    me.value = null
  }

  /** Forget the user without touching tokens (they were already cleared). */
  function reset(): void {
    me.value = null
  }

  return { me, permissions, isLoggedIn, can, loadMe, ensureLoaded, signIn, signOut, reset }
})
