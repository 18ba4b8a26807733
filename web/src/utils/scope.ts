/** Text for the signed-in user's scope (region name or school names). */
import { computed } from 'vue'
import { i18n } from '@/i18n'
import { useAuth } from '@/stores/auth'
import { useOrg } from '@/modules/org/store'

export function useScopeText() {
  const auth = useAuth()
  const org = useOrg()
  return computed(() => {
    const me = auth.me
    if (!me) return ''
    if (me.school_codes?.length) {
      const names = me.school_codes.map((c) => org.schoolByCode.get(c)?.name ?? c)
      return names.length > 3 ? `${names.slice(0, 3).join('、')} 等 ${names.length} 所` : names.join('、')
    }
    if (me.region_code) {
      const region = org.regionByCode.get(me.region_code)
      if (region?.level === 'city' && me.role === 'city_admin') return `${region.name}（${i18n.global.t('home.wholeCity')}）`
      return region?.name ?? me.region_code
    }
    return i18n.global.t('home.wholeCity')
  })
}
