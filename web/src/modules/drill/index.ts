/** Drills (应急演练): plans per school, conduct with the alarm drill window, evaluation. */
import { Flag } from '@element-plus/icons-vue'
import { defineModule } from '../types'
import { en, zh } from './messages'

export default defineModule({
  name: 'drill',
  routes: [{ path: 'drills', name: 'drill-list', component: () => import('./DrillList.vue'), meta: { permission: 'drill.read', title: 'drill.list' } }],
  mobileRoutes: [
    { path: 'drills', name: 'm-drill-list', component: () => import('./DrillList.vue'), props: { mobile: true }, meta: { permission: 'drill.read', title: 'drill.list' } },
  ],
  menu: [{ key: 'drills', title: 'drill.list', path: '/drills', icon: Flag, permission: 'drill.read', group: 'ops', order: 34 }],
  mobileTiles: [{ key: 'drills', title: 'drill.list', to: '/m/drills', icon: Flag, permission: 'drill.manage', color: '#7a5af8', order: 6 }],
  messages: { 'zh-CN': zh, en },
})
