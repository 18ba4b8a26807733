/** Events module: the live feed of everything pushed over the WebSocket. */
import { Bell } from '@element-plus/icons-vue'
import { defineModule } from '../types'

export default defineModule({
  name: 'events',
  routes: [
    {
      path: 'events',
      name: 'events',
      component: () => import('./EventFeed.vue'),
      meta: { permission: 'events.read', title: 'events.menu' },
    },
  ],
  mobileRoutes: [
    {
      path: 'events',
      name: 'm-events',
      component: () => import('./EventFeed.vue'),
      props: { mobile: true },
      meta: { permission: 'events.read', title: 'events.menu' },
    },
  ],
  menu: [{ key: 'events', title: 'events.menu', path: '/events', icon: Bell, permission: 'events.read', order: 15 }],
  mobileTiles: [{ key: 'events', title: 'events.menu', to: '/m/events', icon: Bell, permission: 'events.read', color: '#e6553a', order: 10 }],
  messages: {
    'zh-CN': {
      events: {
        menu: '实时事件',
        family: '事件类别',
        search: '搜索事件',
        pause: '暂停滚动',
        mute: '静音',
        unmute: '取消静音',
      },
    },
    en: {
      events: {
        menu: 'Live events',
        family: 'Category',
        search: 'Search events',
        pause: 'Pause',
        mute: 'Mute',
        unmute: 'Unmute',
      },
    },
  },
})
