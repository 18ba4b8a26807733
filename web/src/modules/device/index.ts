/** Device module: the generic device registry with online state. */
import { Monitor } from '@element-plus/icons-vue'
import { defineModule } from '../types'

export default defineModule({
  name: 'device',
  routes: [
    {
      path: 'devices',
      name: 'devices',
      component: () => import('./DeviceList.vue'),
      meta: { permission: 'device.read', title: 'device.menu' },
    },
  ],
  menu: [{ key: 'devices', title: 'device.menu', path: '/devices', icon: Monitor, permission: 'device.read', order: 30 }],
  mobileTiles: [{ key: 'devices', title: 'device.menu', to: '/devices', icon: Monitor, permission: 'device.read', color: '#13a8a8', order: 30 }],
  messages: {
    'zh-CN': {
      device: {
        menu: '设备管理',
        name: '设备名称',
        code: '设备编码',
        type: '设备类型',
        school: '所属学校',
        area: '安装区域',
        state: '状态',
        vendorModel: '厂商/型号',
        protocol: '接入协议',
        lastSeen: '最后在线',
        search: '设备名称/编码',
      },
    },
    en: {
      device: {
        menu: 'Devices',
        name: 'Name',
        code: 'Code',
        type: 'Type',
        school: 'School',
        area: 'Area',
        state: 'State',
        vendorModel: 'Vendor / model',
        protocol: 'Protocol',
        lastSeen: 'Last seen',
        search: 'Name or code',
      },
    },
  },
})
