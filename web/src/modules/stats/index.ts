/** Online data (数据在线应用): city/district/school dashboards, offline map, drill-down, weekly briefings. */
import { DataBoard, Document } from '@element-plus/icons-vue'
import { defineModule } from '../types'
import { en, zh } from './messages'

export default defineModule({
  name: 'stats',
  routes: [
    { path: 'stats', name: 'stats-dashboard', component: () => import('./Dashboard.vue'), meta: { permission: 'stats.read', title: 'stats.menu' } },
    { path: 'stats/briefings', name: 'stats-briefings', component: () => import('./Briefings.vue'), meta: { permission: 'stats.read', title: 'stats.briefingsMenu' } },
  ],
  menu: [
    { key: 'stats', title: 'stats.menu', path: '/stats', icon: DataBoard, permission: 'stats.read', group: 'data', order: 60 },
    { key: 'stats-briefings', title: 'stats.briefingsMenu', path: '/stats/briefings', icon: Document, permission: 'stats.read', group: 'data', order: 61 },
  ],
  mobileTiles: [
    { key: 'stats', title: 'stats.menu', to: '/stats', icon: DataBoard, permission: 'stats.read', color: '#337ab7', order: 20 },
  ],
  messages: { 'zh-CN': { ...zh, menu: { groups: { data: '数据与考核' } } }, en: { ...en, menu: { groups: { data: 'Data & assessment' } } } },
})
